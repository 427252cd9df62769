import { AttemptGuard, sleep } from "./attempt-guard.ts";
import { parseJsonObject, readBodyText } from "./body.ts";
import { clientStream, type StreamEnd } from "./client-stream.ts";
import { RequestContext, type RequestBody } from "./context.ts";
import { badRequest, clientClosed, GatewayError, internalError, modelNotFound, noTargetAvailable, toGatewayError } from "./errors.ts";
import { runEach, runTransform, runUntilAnswer } from "./hook-runner.ts";
import type { PluginChain } from "./plugin-chain.ts";
import type { ProviderAdapter, ProviderReply } from "./provider.ts";
import { OpenAIStreamScanner } from "./sse.ts";
import { validateChatRequest, validateEmbeddingsRequest } from "./surfaces.ts";
import type { Attempt, AttemptDecision, ModelEntry, Target, Timeouts } from "./types.ts";
import { networkError, timeoutError, UpstreamTimeout } from "./upstream-errors.ts";
import type { UpstreamClient } from "./upstream.ts";
import { extractUsageFromJson } from "./usage.ts";
import type { Completions } from "./completions.ts";
import { textResponse } from "./known-body.ts";

export interface PipelineOptions {
  chain: PluginChain;
  providers: ReadonlyMap<string, ProviderAdapter>;
  upstream: UpstreamClient;
  maxBodyBytes: number;
  maxAttempts: number;
  /** Upper bound for the client's `x-switchyard-timeout-ms`. */
  maxTimeoutMs: number;
  completions: Completions;
  models: () => readonly ModelEntry[];
  createdAt: number;
}

const JSON_HEADERS = "application/json";
/** A client may set the total time limit of each attempt, up to `limits.maxTimeoutMs`. */
export const TIMEOUT_HEADER = "x-switchyard-timeout-ms";
const SSE_HEADERS = "text/event-stream; charset=utf-8";

/** A context for a request that failed before its body could be understood, so it is still logged. */
function bareContext(request: Request, surface: "chat" | "embeddings" | "models", startedAt: number): RequestContext {
  return new RequestContext(request, surface, null, "", false, startedAt, "");
}

/**
 * The request path: parse → onRequest → route → attempts → onResponse → commit → onComplete.
 * Hook arrays are pre-built; an empty phase costs one null check.
 */
export class Pipeline {
  private readonly chain: PluginChain;
  private readonly providers: ReadonlyMap<string, ProviderAdapter>;
  private readonly upstream: UpstreamClient;
  private readonly maxBodyBytes: number;
  private readonly maxAttempts: number;
  private readonly maxTimeoutMs: number;
  private readonly completions: Completions;
  private readonly models: () => readonly ModelEntry[];
  private readonly createdAt: number;

  constructor(options: PipelineOptions) {
    this.chain = options.chain;
    this.providers = options.providers;
    this.upstream = options.upstream;
    this.maxBodyBytes = options.maxBodyBytes;
    this.maxAttempts = options.maxAttempts;
    this.maxTimeoutMs = options.maxTimeoutMs;
    this.completions = options.completions;
    this.models = options.models;
    this.createdAt = options.createdAt;
  }

  async inference(request: Request, surface: "chat" | "embeddings"): Promise<Response> {
    const startedAt = performance.now();
    this.completions.begin();
    let ctx: RequestContext | null = null;
    try {
      const text = await readBodyText(request, this.maxBodyBytes);
      const body = parseJsonObject(text);
      if (surface === "chat") validateChatRequest(body);
      else validateEmbeddingsRequest(body);
      ctx = new RequestContext(request, surface, body, body.model as string, surface === "chat" && body.stream === true, startedAt, text);
      return await this.run(ctx);
    } catch (error) {
      return this.fail(ctx ?? bareContext(request, surface, startedAt), error);
    }
  }

  async listModels(request: Request, only: string | null): Promise<Response> {
    const startedAt = performance.now();
    this.completions.begin();
    const ctx = bareContext(request, "models", startedAt);
    try {
      const early = await this.onRequest(ctx);
      if (early !== undefined) return this.commit(ctx, early);
      let models = this.models().slice();
      if (this.chain.filterModels !== null) models = await runTransform(this.chain.filterModels, ctx, models);
      const created = Math.floor(this.createdAt / 1000);
      const rows = models.map((m) => ({ id: m.id, object: "model", created, owned_by: m.owned_by }));
      let payload: unknown = { object: "list", data: rows };
      if (only !== null) {
        payload = rows.find((row) => row.id === only);
        if (payload === undefined) throw modelNotFound(only);
      }
      return this.commit(ctx, new Response(JSON.stringify(payload), { status: 200, headers: { "content-type": JSON_HEADERS } }));
    } catch (error) {
      return this.fail(ctx, error);
    }
  }

  private onRequest(ctx: RequestContext): Response | undefined | Promise<Response | undefined> {
    const hooks = this.chain.onRequest;
    return hooks === null ? undefined : runUntilAnswer<Response>(hooks, ctx);
  }

  private async run(ctx: RequestContext): Promise<Response> {
    const pending = this.onRequest(ctx);
    const early = pending instanceof Promise ? await pending : pending;
    if (early !== undefined) return this.commit(ctx, early);

    let targets: readonly Target[] | undefined;
    if (this.chain.route !== null) {
      const routed = runUntilAnswer<readonly Target[]>(this.chain.route, ctx);
      targets = routed instanceof Promise ? await routed : routed;
    }
    ctx.targets = targets ?? this.directTarget(ctx.model);

    const reply = await this.attempts(ctx);
    return reply.kind === "json" ? this.jsonResponse(ctx, reply) : this.streamResponse(ctx, reply.chunks, reply.status);
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
  private async attempts(ctx: RequestContext): Promise<ProviderReply> {
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
          const pending = runEach(this.chain.onAttempt, ctx, attempt);
          if ((pending instanceof Promise ? await pending : pending) === "skip") {
            attempt.outcome = "skipped";
            attempt.durationMs = 0;
            tries--;
            index++;
            continue;
          }
        }
        const reply = await this.attempt(ctx, target, attempt, totalOverride);
        ctx.served = target;
        return reply;
      } catch (thrown) {
        const error = toGatewayError(thrown);
        attempt.outcome = "error";
        attempt.status = error.status;
        attempt.errorCode = error.code;
        attempt.fault = error.fault;
        attempt.durationMs = performance.now() - ctx.startedAt - attempt.startedAt;
        if (ctx.signal.aborted) throw clientClosed();
        lastError = error;
        const hooks = this.chain.onAttemptError;
        const decision: AttemptDecision | undefined = hooks === null ? undefined : await runUntilAnswer<AttemptDecision>(hooks, ctx, attempt, error);
        if (decision === undefined || decision.action === "fail") throw error;
        if (decision.action === "next") {
          if (++index >= targets.length) throw error;
        } else if (decision.action === "retry") {
          await sleep(decision.delayMs ?? 0, ctx.signal);
          if (ctx.signal.aborted) throw clientClosed();
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

  private async attempt(ctx: RequestContext, target: Target, attempt: Attempt, totalOverride: number): Promise<ProviderReply> {
    const provider = this.providers.get(target.provider);
    if (provider === undefined) throw internalError(`Route points at provider "${target.provider}", which is not configured.`);
    const askUsage = ctx.stream && provider.streamUsage !== false && !clientAskedUsage(ctx.body!);
    const bodyText = upstreamBody(ctx, target, askUsage);
    const timeouts = effectiveTimeouts(provider.timeouts, target.timeouts, totalOverride);
    const guard = new AttemptGuard(ctx.signal, timeouts);
    let reply: ProviderReply;
    try {
      reply = await provider.send({
        provider: target.provider,
        surface: ctx.surface as "chat" | "embeddings",
        model: target.model,
        bodyText,
        body: ctx.body!,
        stream: ctx.stream,
        headers: attempt.headers,
        signal: guard.signal,
        connectTimeoutMs: timeouts?.connectMs,
        upstream: this.upstream,
      });
    } catch (error) {
      guard.release();
      if (error instanceof GatewayError) throw error;
      const timeout = guard.timeout ?? (error instanceof UpstreamTimeout ? error : null);
      if (timeout !== null) throw timeoutError(target.provider, timeout);
      if (ctx.signal.aborted) throw clientClosed();
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
      return reply;
    }
    // The stream owns the guard from here: its end releases the timers.
    const scanner = new OpenAIStreamScanner(askUsage);
    const chunks = clientStream(reply.chunks, scanner, guard, (how, error, sent) => this.streamEnded(ctx, attempt, scanner, how, error, sent));
    return { kind: "stream", status: reply.status, chunks: chunks as unknown as AsyncIterable<Uint8Array>, requestId: reply.requestId };
  }

  private jsonResponse(ctx: RequestContext, reply: { status: number; text: string }): Promise<Response> | Response {
    ctx.usage = extractUsageFromJson(reply.text);
    ctx.responseText = reply.text;
    const response = textResponse(reply.text, { status: reply.status, headers: { "content-type": JSON_HEADERS } });
    return this.respond(ctx, response, false);
  }

  private streamResponse(ctx: RequestContext, body: AsyncIterable<Uint8Array>, status: number): Promise<Response> | Response {
    const response = new Response(body as unknown as ReadableStream<Uint8Array>, {
      status,
      headers: { "content-type": SSE_HEADERS, "cache-control": "no-cache", "x-accel-buffering": "no" },
    });
    return this.respond(ctx, response, true);
  }

  private respond(ctx: RequestContext, response: Response, streaming: boolean): Promise<Response> | Response {
    const hooks = this.chain.onResponse;
    if (hooks === null) return this.commit(ctx, response, streaming);
    const result = runTransform(hooks, ctx, response);
    return result instanceof Promise ? result.then((r) => this.commit(ctx, replaced(ctx, response, r), streaming)) : this.commit(ctx, replaced(ctx, response, result), streaming);
  }

  /** The response leaves now. Streams complete when they end; everything else completes now. */
  private commit(ctx: RequestContext, original: Response, streaming = false): Response {
    let response = original;
    try {
      stampHeaders(ctx, response.headers);
    } catch {
      // A Response from `fetch` has immutable headers: re-wrap it, same body stream.
      response = new Response(original.body, original);
      stampHeaders(ctx, response.headers);
    }
    ctx.status = response.status;
    // A gateway stream completes when it ends (see streamEnded); everything else completes now.
    if (!streaming) {
      ctx.durationMs = performance.now() - ctx.startedAt;
      this.completions.complete(ctx);
    }
    return response;
  }

  private fail(ctx: RequestContext, thrown: unknown): Response {
    const error = toGatewayError(thrown);
    ctx.error = error;
    ctx.status = error.status;
    ctx.durationMs = performance.now() - ctx.startedAt;
    const headers: Record<string, string> = { "x-request-id": ctx.id };
    const tried = attemptsMade(ctx);
    if (tried > 0) headers["x-switchyard-attempts"] = String(tried);
    if (ctx.responseHeaders !== null) Object.assign(headers, ctx.responseHeaders);
    if (error.fault === "gateway") this.completions.report(error);
    this.completions.complete(ctx);
    return error.toResponse(headers);
  }

  private streamEnded(ctx: RequestContext, attempt: Attempt, scanner: OpenAIStreamScanner, how: StreamEnd, error: unknown, sent: number): void {
    const now = performance.now() - ctx.startedAt;
    ctx.bytesOut = sent;
    attempt.durationMs = now - attempt.startedAt;
    ctx.durationMs = now;
    ctx.usage = scanner.usage;
    if (how === "aborted") {
      ctx.error = clientClosed();
      ctx.status = 499;
    } else if (how === "error") {
      // A stall (idle or total limit) is told apart from a broken connection in the record.
      const stalled = error instanceof UpstreamTimeout;
      ctx.error = stalled
        ? timeoutError(attempt.target.provider, error)
        : new GatewayError({
          status: 502,
          message: `Stream from provider "${attempt.target.provider}" broke after the response began: ${error instanceof Error ? error.message : String(error)}`,
          code: "upstream_stream_error",
          fault: "provider",
          cause: error,
        });
      attempt.outcome = "error";
      attempt.errorCode = ctx.error.code;
      attempt.fault = "provider";
    }
    this.completions.complete(ctx);
  }
}

/** An `onResponse` hook that swapped the response also swapped its body: the kept text no longer describes it. */
function replaced(ctx: RequestContext, before: Response, after: Response): Response {
  if (after !== before) ctx.responseText = null;
  return after;
}

function stampHeaders(ctx: RequestContext, headers: Headers): void {
  headers.set("x-request-id", ctx.id);
  if (ctx.served !== null) {
    headers.set("x-switchyard-provider", ctx.served.provider);
    headers.set("x-switchyard-model", ctx.served.model);
  }
  const tried = attemptsMade(ctx);
  if (tried > 0) headers.set("x-switchyard-attempts", String(tried));
  const extra = ctx.responseHeaders;
  if (extra !== null) for (const name in extra) headers.set(name, extra[name]);
}

/** Attempts that reached an upstream (skipped targets are not attempts). */
function attemptsMade(ctx: RequestContext): number {
  let n = 0;
  for (const attempt of ctx.attempts) if (attempt.outcome !== "skipped") n++;
  return n;
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

function clientAskedUsage(body: RequestBody): boolean {
  const options = body.stream_options as { include_usage?: unknown } | null | undefined;
  return options != null && options.include_usage === true;
}

/**
 * The body to send upstream. The client's bytes go as they came when nothing changed; otherwise
 * one shallow copy with the target's model (key order and unknown fields survive).
 */
function upstreamBody(ctx: RequestContext, target: Target, askUsage: boolean): string {
  const body = ctx.body!;
  if (!ctx.bodyChanged && !askUsage && ctx.model === target.model) return ctx.rawBody;
  const copy: RequestBody = { ...body, model: target.model };
  if (askUsage) copy.stream_options = { ...(body.stream_options as object | null | undefined), include_usage: true };
  return JSON.stringify(copy);
}
