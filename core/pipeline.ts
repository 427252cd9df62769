import type { AbortWatch } from "./abort-watch.ts";
import { AttemptGuard, sleep } from "./attempt-guard.ts";
import { checkJsonContentType, parseJsonObject, readBody } from "./body.ts";
import type { CanonicalRequest } from "./canonical.ts";
import { clientStream, type StreamEnd } from "./client-stream.ts";
import type { Completions } from "./completions.ts";
import { RequestContext, type RequestBody, type SurfaceInfo } from "./context.ts";
import type { Dialect } from "./dialect.ts";
import { badRequest, clientClosed, GatewayError, internalError, modelNotFound, noTargetAvailable, toGatewayError } from "./errors.ts";
import { runChunk, runFirst, runSequential, runTransform } from "./hook-runner.ts";
import type { PluginChain } from "./plugin-chain.ts";
import type { ProviderAdapter, ProviderCall, ProviderReply } from "./provider.ts";
import { adoptedResponse, fieldsOf, isBuiltFrom, markAdopted, type ResponseRecord, setHeader, streamResponse, textResponse } from "./response-record.ts";
import { passthroughRelay, type StreamRelay, TranslatingRelay } from "./stream-relay.ts";
import type { SurfaceSpec } from "./surfaces.ts";
import type { Attempt, AttemptDecision, ModelEntry, Operation, Target, Timeouts, WireFormat } from "./types.ts";
import { networkError, timeoutError, UpstreamTimeout } from "./upstream-errors.ts";
import type { UpstreamClient } from "./upstream.ts";

export interface PipelineOptions {
  chain: PluginChain;
  providers: ReadonlyMap<string, ProviderAdapter>;
  /** The dialect of each wire format a provider may speak. */
  dialects: ReadonlyMap<string, Dialect>;
  upstream: UpstreamClient;
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxAttempts: number;
  /** Upper bound for the client's `x-switchyard-timeout-ms`. */
  maxTimeoutMs: number;
  completions: Completions;
  models: () => readonly ModelEntry[];
  createdAt: number;
}

const JSON_TYPE = "application/json";
/** A client may set the total time limit of each attempt, up to `limits.maxTimeoutMs`. */
export const TIMEOUT_HEADER = "x-switchyard-timeout-ms";
/** Request fields the serving target could not honour, left out while translating. */
export const DROPPED_HEADER = "x-switchyard-dropped";
/** Set on token counts the gateway estimated itself because the target cannot count. */
export const ESTIMATED_HEADER = "x-switchyard-estimated";
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const;

/** A reply as the attempt loop hands it on: in the client's dialect, with its usage read. */
type ClientReply =
  | { readonly kind: "json"; readonly status: number; readonly text: string }
  | { readonly kind: "stream"; readonly status: number; readonly body: ReadableStream<Uint8Array> };

/** How one attempt reaches its target. */
interface Plan {
  readonly provider: ProviderAdapter;
  /** The provider's dialect when it differs from the client's: the request and answer are translated. */
  readonly translate: Dialect | null;
  readonly bodyText: string;
  /** The gateway asked for stream usage the client did not: usage-only events are dropped. */
  readonly stripUsage: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One attempt's call to its provider. A class rather than an object literal with a `signal`
 * getter: V8 builds such a literal through the runtime, about half a microsecond each.
 */
class AttemptCall implements ProviderCall {
  readonly watch: AbortWatch;
  constructor(
    readonly provider: string,
    readonly operation: Operation,
    readonly format: WireFormat,
    readonly model: string,
    readonly bodyText: string,
    readonly stream: boolean,
    readonly headers: Readonly<Record<string, string>>,
    private readonly guard: AttemptGuard,
    readonly connectTimeoutMs: number | undefined,
    readonly upstream: UpstreamClient,
  ) {
    this.watch = guard.watch;
  }
  get signal(): AbortSignal {
    return this.guard.signal;
  }
}

/** A context for a request that failed before its body could be understood, so it is still logged. */
function bareContext(request: Request, surface: SurfaceInfo, startedAt: number): RequestContext {
  return new RequestContext(request, surface, null, "", false, startedAt, "");
}

/**
 * The request path: parse → onRequest → route → attempts → onResponse → commit → onComplete.
 * Hook arrays are pre-built; an empty phase costs one null check. Every dialect difference is the
 * surface's and the dialects' business: same formats pass bytes through, others translate.
 */
export class Pipeline {
  private readonly chain: PluginChain;
  private readonly providers: ReadonlyMap<string, ProviderAdapter>;
  private readonly dialects: ReadonlyMap<string, Dialect>;
  private readonly upstream: UpstreamClient;
  private readonly maxBodyBytes: number;
  private readonly maxJsonDepth: number;
  private readonly maxAttempts: number;
  private readonly maxTimeoutMs: number;
  private readonly completions: Completions;
  private readonly models: () => readonly ModelEntry[];
  private readonly createdAt: number;

  constructor(options: PipelineOptions) {
    this.chain = options.chain;
    this.providers = options.providers;
    this.dialects = options.dialects;
    this.upstream = options.upstream;
    this.maxBodyBytes = options.maxBodyBytes;
    this.maxJsonDepth = options.maxJsonDepth;
    this.maxAttempts = options.maxAttempts;
    this.maxTimeoutMs = options.maxTimeoutMs;
    this.completions = options.completions;
    this.models = options.models;
    this.createdAt = options.createdAt;
  }

  /**
   * One request on a body-taking surface. `route`: the model and stream flag its path names, for
   * surfaces whose dialect keeps them there (Gemini's), bound into the body before validation.
   */
  async inference(request: Request, surface: SurfaceSpec, route?: { readonly model: string; readonly stream: boolean }): Promise<Response> {
    const startedAt = performance.now();
    this.completions.begin();
    let ctx: RequestContext | null = null;
    try {
      checkJsonContentType(request.headers);
      const { text, bytes } = await readBody(request, this.maxBodyBytes);
      const parsed = parseJsonObject(text, this.maxJsonDepth);
      const body = route === undefined ? parsed : surface.dialect.bindRoute?.(parsed, route.model, route.stream) ?? parsed;
      surface.validate(body);
      ctx = new RequestContext(request, surface, body, surface.model(body), surface.stream(body), startedAt, text, bytes);
      return await this.run(ctx, surface);
    } catch (error) {
      return this.fail(ctx ?? bareContext(request, surface, startedAt), error);
    }
  }

  /** `GET /v1/models`, or one model when `escapedId` (the path segment, still percent-encoded) is given. */
  async listModels(request: Request, surface: SurfaceInfo, escapedId: string | null): Promise<Response> {
    const startedAt = performance.now();
    this.completions.begin();
    const ctx = bareContext(request, surface, startedAt);
    try {
      const only = escapedId === null ? null : decodeModelId(escapedId);
      const early = await this.onRequest(ctx);
      if (early !== undefined) return await this.commit(ctx, early, false);
      let models = this.models().slice();
      if (this.chain.filterModels !== null) models = await runTransform(this.chain.filterModels, ctx, models);
      if (only !== null && !models.some((m) => m.id === only)) throw modelNotFound(only);
      return this.commit(ctx, this.jsonAnswer(ctx, 200, ctx.dialect.encodeModels(models, only, this.createdAt)), false);
    } catch (error) {
      return this.fail(ctx, error);
    }
  }

  private onRequest(ctx: RequestContext): Response | undefined | Promise<Response | undefined> {
    const hooks = this.chain.onRequest;
    return hooks === null ? undefined : runFirst<Response>(hooks, ctx);
  }

  private async run(ctx: RequestContext, surface: SurfaceSpec): Promise<Response> {
    const pending = this.onRequest(ctx);
    const early = pending instanceof Promise ? await pending : pending;
    if (early !== undefined) return this.commit(ctx, early, false);

    let targets: readonly Target[] | undefined;
    if (this.chain.route !== null) {
      const routed = runFirst<readonly Target[]>(this.chain.route, ctx);
      targets = routed instanceof Promise ? await routed : routed;
    }
    ctx.targets = targets ?? this.directTarget(ctx.model);

    const reply = await this.attempts(ctx, surface);
    if (reply.kind === "json") return this.respond(ctx, this.jsonAnswer(ctx, reply.status, reply.text), false);
    const response = streamResponse(ctx.response, reply.status, { ...SSE_HEADERS }, reply.body);
    return this.respond(ctx, response, true);
  }

  /** `<provider>/<model>` addresses a configured provider with no plugin involved. */
  private directTarget(model: string): readonly Target[] {
    const slash = model.indexOf("/");
    if (slash > 0) {
      const provider = model.slice(0, slash);
      if (this.providers.has(provider)) return [{ provider, model: model.slice(slash + 1) }];
    }
    throw modelNotFound(model);
  }

  /**
   * Walk the plan. `onAttempt` may skip a target (nothing sent, no attempt counted); a failure
   * asks `onAttemptError` to retry the same target, move to the next, or fail. Both the plan and
   * `maxAttempts` bound the loop.
   */
  private async attempts(ctx: RequestContext, surface: SurfaceSpec): Promise<ClientReply> {
    const targets = ctx.targets!;
    const totalOverride = this.requestedTimeout(ctx);
    let index = 0;
    let tries = 0;
    let lastError: GatewayError | null = null;
    while (index < targets.length && tries < this.maxAttempts) {
      const target = targets[index];
      const attempt: Attempt = {
        index: ctx.attempts.length,
        target,
        startedAt: performance.now() - ctx.startedAt,
        outcome: "pending",
        status: 0,
        firstByteMs: -1,
        durationMs: -1,
        errorCode: null,
        fault: null,
        headers: {},
      };
      ctx.attempts.push(attempt);
      // Counted up front so a failing onAttempt hook cannot make retries loop for ever.
      tries++;
      try {
        if (this.chain.onAttempt !== null) {
          const pending = runSequential(this.chain.onAttempt, ctx, attempt);
          if ((pending instanceof Promise ? await pending : pending) === "skip") {
            attempt.outcome = "skipped";
            attempt.durationMs = 0;
            tries--;
            index++;
            continue;
          }
        }
        const reply = await this.attempt(ctx, surface, target, attempt, totalOverride);
        ctx.served = target;
        return reply;
      } catch (thrown) {
        const error = toGatewayError(thrown);
        attempt.outcome = "error";
        attempt.status = error.status;
        attempt.errorCode = error.code;
        attempt.fault = error.fault;
        attempt.durationMs = performance.now() - ctx.startedAt - attempt.startedAt;
        if (ctx.watch.aborted) throw clientClosed();
        lastError = error;
        const hooks = this.chain.onAttemptError;
        const decision: AttemptDecision | undefined = hooks === null ? undefined : await runFirst<AttemptDecision>(hooks, ctx, attempt, error);
        if (decision === undefined || decision.action === "fail") throw error;
        if (decision.action === "next") {
          if (++index >= targets.length) throw error;
        } else if (decision.action === "retry") {
          await sleep(decision.delayMs ?? 0, ctx.watch);
          if (ctx.watch.aborted) throw clientClosed();
        }
      }
    }
    throw lastError ?? noTargetAvailable(ctx.model);
  }

  /** `x-switchyard-timeout-ms`, capped by config; 0 when absent. */
  private requestedTimeout(ctx: RequestContext): number {
    const header = ctx.request.headers.get(TIMEOUT_HEADER);
    if (header === null) return 0;
    const ms = Number(header);
    if (header.length === 0 || !Number.isInteger(ms) || ms <= 0) {
      throw badRequest(`The ${TIMEOUT_HEADER} header must be a positive integer number of milliseconds.`, null, "invalid_timeout");
    }
    return ms < this.maxTimeoutMs ? ms : this.maxTimeoutMs;
  }

  /**
   * How this attempt reaches `target`: the client's bytes (with the model spliced in) when the
   * provider speaks the client's dialect, a translation through the neutral form when it does not.
   * Returns null for a token count the target cannot make, which the gateway estimates itself.
   */
  private plan(ctx: RequestContext, target: Target, attempt: Attempt): Plan | null {
    const provider = this.providers.get(target.provider);
    if (provider === undefined) throw internalError(`Route points at provider "${target.provider}", which is not configured.`);
    const operation = ctx.operation as Operation;
    // Every provider that embeds takes OpenAI embeddings bodies, whatever its own format (Gemini translates them itself).
    const native = provider.format === ctx.dialect.id
      || (operation === "generate" && (provider.formats?.includes(ctx.dialect.id) ?? false))
      || (operation === "embed" && ctx.dialect.id === "openai" && (provider.operations?.includes("embed") ?? false));
    if (operation !== "generate" && !(native && (provider.operations?.includes(operation) ?? false))) {
      if (operation === "count_tokens") return null;
      throw new GatewayError({
        status: 400,
        message: `Provider "${target.provider}" does not serve ${operation === "embed" ? "embeddings" : operation}; route this model to one that does.`,
        code: "operation_not_supported",
        param: "model",
        fault: "client",
      });
    }
    const streamUsage = ctx.stream && provider.streamUsage !== false;
    const options = { model: target.model, streamUsage, defaultMaxTokens: provider.defaultMaxTokens };
    const rejected = provider.rejects?.(target.model);
    if (native) {
      let body = ctx.body!;
      let source = ctx.bodyChanged ? JSON.stringify(body) : ctx.rawBody;
      ctx.dropped = null;
      if (rejected !== undefined && rejected.length > 0 && ctx.dialect.id === provider.format) {
        const kept = withoutFields(body, rejected);
        if (kept !== null) {
          body = kept.body;
          source = JSON.stringify(body);
          ctx.dropped = kept.removed;
        }
      }
      return {
        provider,
        translate: null,
        bodyText: ctx.dialect.passthroughBody(source, body, options),
        stripUsage: streamUsage && ctx.dialect.addsStreamUsage(body),
        headers: forwardedHeaders(ctx, attempt.headers),
      };
    }
    const dialect = this.dialects.get(provider.format);
    if (dialect === undefined) throw internalError(`Provider "${target.provider}" speaks "${provider.format}", a format no dialect is registered for.`);
    const { request, lowered } = fitToTarget(ctx.canonical(), provider, target);
    const encoded = dialect.encodeRequest(request, options);
    const kept = rejected !== undefined && rejected.length > 0 ? withoutFields(encoded.body, rejected) : null;
    const dropped = [...encoded.dropped, ...lowered, ...(kept?.removed ?? [])];
    ctx.dropped = dropped.length > 0 ? dropped : null;
    return { provider, translate: dialect, bodyText: JSON.stringify(kept?.body ?? encoded.body), stripUsage: false, headers: attempt.headers };
  }

  private async attempt(ctx: RequestContext, surface: SurfaceSpec, target: Target, attempt: Attempt, totalOverride: number): Promise<ClientReply> {
    const plan = this.plan(ctx, target, attempt);
    if (plan === null) return this.estimatedTokenCount(ctx, surface, attempt);
    const { provider } = plan;
    const timeouts = effectiveTimeouts(provider.timeouts, target.timeouts, totalOverride);
    const guard = new AttemptGuard(ctx.watch, timeouts);
    let reply: ProviderReply;
    try {
      reply = await provider.send(new AttemptCall(target.provider, ctx.operation as Operation, plan.translate === null ? ctx.dialect.id : provider.format, target.model, plan.bodyText, ctx.stream, plan.headers, guard, timeouts?.connectMs, this.upstream));
    } catch (error) {
      guard.release();
      if (error instanceof GatewayError) throw error;
      const timeout = guard.timeout ?? (error instanceof UpstreamTimeout ? error : null);
      if (timeout !== null) throw timeoutError(target.provider, timeout);
      if (ctx.watch.aborted) throw clientClosed();
      throw networkError(target.provider, error);
    }
    guard.firstByte();
    const elapsed = performance.now() - ctx.startedAt;
    attempt.firstByteMs = elapsed - attempt.startedAt;
    attempt.outcome = "ok";
    attempt.status = reply.status;
    ctx.firstByteMs = elapsed;
    if (reply.kind === "json") {
      guard.release();
      attempt.durationMs = attempt.firstByteMs;
      return { kind: "json", status: reply.status, text: this.jsonReply(ctx, plan, target, reply.text) };
    }
    const relay = this.relay(ctx, plan, target.model);
    const errorEvent = relay instanceof TranslatingRelay ? relay.encoder.error.bind(relay.encoder) : (error: GatewayError) => ctx.dialect.streamEncoder(ctx.body!).error(error);
    // The stream owns the guard from here: its end releases the timers.
    const body = clientStream(reply.chunks, relay, guard, errorEvent, (how, error, sent) => this.streamEnded(ctx, attempt, relay, how, error, sent));
    return { kind: "stream", status: reply.status, body };
  }

  /**
   * What carries a stream to the client. Without stream hooks a same-dialect stream's bytes pass
   * through a scanner untouched; with them, it is decoded and re-encoded in the client's dialect
   * so the hooks see neutral events. A translated stream runs the hooks between its decoder and
   * its encoder.
   */
  private relay(ctx: RequestContext, plan: Plan, model: string): StreamRelay {
    const hooks = this.chain.onChunk;
    if (hooks === null) {
      return plan.translate === null
        ? passthroughRelay(ctx.dialect.scanner(plan.stripUsage))
        : new TranslatingRelay(plan.translate.streamDecoder(model), ctx.dialect.streamEncoder(ctx.body!));
    }
    const decoder = (plan.translate ?? ctx.dialect).streamDecoder(model);
    return new TranslatingRelay(decoder, ctx.dialect.streamEncoder(ctx.body!), (event, out) => runChunk(hooks, ctx, event, out));
  }

  /** A whole answer in the client's dialect, its usage read on the way. */
  private jsonReply(ctx: RequestContext, plan: Plan, target: Target, text: string): string {
    if (plan.translate === null) {
      ctx.usage = ctx.dialect.usageOf(text);
      return text;
    }
    let parsed;
    try {
      parsed = plan.translate.parseResponse(text, target.model);
    } catch (error) {
      throw new GatewayError({
        status: 502,
        message: `Provider "${target.provider}" answered with a body that is not a valid ${plan.translate.label} response.`,
        code: "upstream_invalid_response",
        fault: "provider",
        retryable: true,
        cause: error,
      });
    }
    ctx.usage = parsed.usage;
    return ctx.dialect.encodeResponse(parsed, ctx.body!);
  }

  /** A token count for a target that cannot count: the gateway's own estimate, flagged as one. */
  private estimatedTokenCount(ctx: RequestContext, surface: SurfaceSpec, attempt: Attempt): ClientReply {
    if (surface.tokenCount === undefined) throw internalError(`The ${surface.name} surface cannot answer a token count.`);
    attempt.outcome = "ok";
    attempt.status = 200;
    attempt.firstByteMs = 0;
    attempt.durationMs = 0;
    ctx.setResponseHeader(ESTIMATED_HEADER, "true");
    return { kind: "json", status: 200, text: surface.tokenCount(ctx.estimatedInputTokens) };
  }

  /** A whole answer the gateway built, in the record the log, the cache and the bridges read. */
  private jsonAnswer(ctx: RequestContext, status: number, text: string): Response {
    ctx.response.text = text;
    return textResponse(ctx.response, status, { "content-type": JSON_TYPE });
  }

  private respond(ctx: RequestContext, response: Response, streaming: boolean): Promise<Response> | Response {
    const hooks = this.chain.onResponse;
    if (hooks === null) return this.commit(ctx, response, streaming);
    const result = runTransform(hooks, ctx, response);
    return result instanceof Promise ? result.then((r) => this.commit(ctx, r, streaming)) : this.commit(ctx, result, streaming);
  }

  /**
   * The response leaves now. A Response the gateway did not build (an early answer, a plugin's
   * replacement) is adopted into the record first, so logs and caches see what really went out.
   * Streams complete when they end; everything else completes now.
   */
  private commit(ctx: RequestContext, original: Response, streaming: boolean): Response | Promise<Response> {
    if (!isBuiltFrom(original, ctx.response)) {
      return this.adopt(ctx, original, streaming).then((adopted) => this.commit(ctx, adopted, streaming || isEventStream(adopted)));
    }
    const response = original;
    stampHeaders(ctx, response);
    ctx.status = response.status;
    if (!streaming) this.finish(ctx);
    return response;
  }

  private finish(ctx: RequestContext): void {
    ctx.durationMs = performance.now() - ctx.startedAt;
    this.completions.complete(ctx);
  }

  /**
   * Take a Response the gateway did not build into the request's record: a whole body is read
   * (it is in memory anyway, and its text is what the log and the bridges need); a stream has its
   * bytes counted as they go and completes the request when it ends, unless the gateway's own
   * stream underneath (`counted`) already does both.
   */
  private async adopt(ctx: RequestContext, response: Response, counted: boolean): Promise<Response> {
    const record = ctx.response;
    if (response.type === "error") {
      // A network error (a reset) has nothing to adopt: the bridge drops the connection.
      record.text = null;
      markAdopted(response, record);
      return response;
    }
    if (response.body === null || !isEventStream(response)) {
      record.text = response.body === null ? "" : await response.text();
      return textResponse(record, response.status, fieldsOf(response.headers));
    }
    record.text = null;
    if (counted) return adoptedResponse(record, response, response.body);
    record.streamedBytes = 0;
    return adoptedResponse(record, response, countedStream(response.body, record, () => this.finish(ctx)));
  }

  private fail(ctx: RequestContext, thrown: unknown): Response {
    const error = toGatewayError(thrown);
    ctx.error = error;
    ctx.durationMs = performance.now() - ctx.startedAt;
    const rendered = ctx.dialect.renderError(error, ctx.id);
    ctx.status = rendered.status;
    ctx.response.text = rendered.body;
    const headers: Record<string, string> = { "content-type": JSON_TYPE, "x-request-id": ctx.id };
    const tried = attemptsMade(ctx);
    if (tried > 0) headers["x-switchyard-attempts"] = String(tried);
    if (ctx.responseHeaders !== null) for (const name in ctx.responseHeaders) headers[name.toLowerCase()] = ctx.responseHeaders[name];
    // The error's own headers win: a 429's Retry-After and limits describe this refusal.
    if (error.headers !== undefined) for (const name in error.headers) headers[name.toLowerCase()] = error.headers[name];
    if (error.fault === "gateway") this.completions.report(error);
    this.completions.complete(ctx);
    return textResponse(ctx.response, rendered.status, headers);
  }

  private streamEnded(ctx: RequestContext, attempt: Attempt, relay: StreamRelay, how: StreamEnd, error: unknown, sent: number): void {
    const now = performance.now() - ctx.startedAt;
    ctx.response.streamedBytes = sent;
    attempt.durationMs = now - attempt.startedAt;
    ctx.durationMs = now;
    ctx.usage = relay.usage;
    if (how === "aborted") {
      ctx.error = clientClosed();
      ctx.status = 499;
    } else if (relay.stopped !== null) {
      // A stream hook ended it (a guardrail, say): the plugin's error, not the provider's.
      ctx.error = relay.stopped;
    } else if (how === "error" || relay.upstreamError !== null) {
      ctx.error = streamError(attempt.target.provider, error, relay);
      attempt.outcome = "error";
      attempt.errorCode = ctx.error.code;
      attempt.fault = "provider";
    }
    this.completions.complete(ctx);
  }
}

/**
 * A translated request as its target can take it: output tokens lowered to the provider's cap,
 * reasoning controls left out for a model that takes none. What changed is named for the report.
 */
function fitToTarget(request: CanonicalRequest, provider: ProviderAdapter, target: Target): { request: CanonicalRequest; lowered: string[] } {
  const lowered: string[] = [];
  const cap = provider.maxOutputTokens;
  let fitted = request;
  if (cap !== undefined && request.maxTokens !== null && request.maxTokens > cap) {
    fitted = { ...fitted, maxTokens: cap };
    lowered.push(`max_tokens above ${cap}`);
  }
  if (request.reasoning !== null && provider.reasoning !== undefined && !provider.reasoning(target.model)) {
    fitted = { ...fitted, reasoning: null };
    lowered.push("reasoning");
  }
  return { request: fitted, lowered };
}

/** `body` without the `fields` it has, and which those were; null when it has none of them. */
function withoutFields(body: RequestBody, fields: readonly string[]): { body: RequestBody; removed: string[] } | null {
  let removed: string[] | null = null;
  for (const field of fields) if (body[field] !== undefined) (removed ??= []).push(field);
  if (removed === null) return null;
  const kept: Record<string, unknown> = {};
  for (const key in body) if (!removed.includes(key)) kept[key] = body[key];
  return { body: kept, removed };
}

function decodeModelId(escaped: string): string {
  try {
    return decodeURIComponent(escaped);
  } catch {
    throw badRequest("The model id in the path is not a valid percent-encoded string.", "model", "invalid_path");
  }
}

/** Why a stream that had begun ended badly: a stall (idle or total limit), a break, or the upstream's own error event. */
function streamError(provider: string, error: unknown, relay: StreamRelay): GatewayError {
  if (error instanceof UpstreamTimeout) return timeoutError(provider, error);
  if (error instanceof GatewayError) return error;
  const said = relay.upstreamError;
  const detail = said !== null ? `${said.type}: ${said.message}` : error instanceof Error ? error.message : String(error);
  return new GatewayError({
    status: 502,
    message: `Stream from provider "${provider}" broke after the response began: ${detail}`,
    code: "upstream_stream_error",
    fault: "provider",
    cause: error ?? undefined,
  });
}

function isEventStream(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").startsWith("text/event-stream");
}

/** `body`, with its bytes added to the record as they pass; `onEnd` once it ends or is cancelled. */
function countedStream(body: ReadableStream<Uint8Array>, record: ResponseRecord, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = (): void => {
    if (!ended) {
      ended = true;
      onEnd();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            controller.close();
            end();
            return;
          }
          record.streamedBytes += value.byteLength;
          controller.enqueue(value);
        } catch (error) {
          end();
          controller.error(error);
        }
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function stampHeaders(ctx: RequestContext, response: Response): void {
  if (response.type === "error") return;
  setHeader(response, "x-request-id", ctx.id);
  if (ctx.served !== null) {
    setHeader(response, "x-switchyard-provider", ctx.served.provider);
    setHeader(response, "x-switchyard-model", ctx.served.model);
  }
  const tried = attemptsMade(ctx);
  if (tried > 0) setHeader(response, "x-switchyard-attempts", String(tried));
  if (ctx.dropped !== null) setHeader(response, DROPPED_HEADER, ctx.dropped.join(", "));
  const extra = ctx.responseHeaders;
  if (extra !== null) for (const name in extra) setHeader(response, name.toLowerCase(), extra[name]);
}

/** Attempts that reached an upstream (skipped targets are not attempts). */
function attemptsMade(ctx: RequestContext): number {
  let n = 0;
  for (const attempt of ctx.attempts) if (attempt.outcome !== "skipped") n++;
  return n;
}

/**
 * The headers of a same-dialect attempt: the client headers its dialect forwards (Anthropic's
 * version and beta flags), then what plugins set for the attempt. Allocates only when there are any.
 */
function forwardedHeaders(ctx: RequestContext, attemptHeaders: Record<string, string>): Readonly<Record<string, string>> {
  const names = ctx.dialect.forwardHeaders;
  if (names.length === 0) return attemptHeaders;
  let out: Record<string, string> | null = null;
  for (const name of names) {
    const value = ctx.request.headers.get(name);
    if (value !== null) (out ??= {})[name] = value;
  }
  return out === null ? attemptHeaders : Object.assign(out, attemptHeaders);
}

/**
 * A target's limits win over its provider's, field by field; the client's header sets the total.
 * Allocates only when something overrides the provider's object.
 */
function effectiveTimeouts(provider: Timeouts | undefined, target: Timeouts | undefined, totalOverride: number): Timeouts | undefined {
  if (target === undefined && totalOverride === 0) return provider;
  const merged: Timeouts = { ...provider, ...target };
  if (totalOverride > 0) merged.totalMs = totalOverride;
  return merged;
}
