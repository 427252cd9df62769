import {
  type Attributes,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  isSpanContextValid,
  trace,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type { RequestContext } from "../../core/context.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { ProviderAdapter } from "../../core/provider.ts";
import type { Attempt } from "../../core/types.ts";
import { VERSION } from "../../core/version.ts";
import * as A from "./attributes.ts";

export interface TracingOptions {
  /** Where spans go. Default: the globally registered provider (a no-op until an SDK registers one). */
  tracerProvider?: TracerProvider;
  /**
   * Record the request's messages as `gen_ai.input.messages` (JSON, cut to `maxContentLength`).
   * Off by default: prompts may hold personal data. Response content is never recorded.
   */
  captureContent?: boolean;
  /** Longest `gen_ai.input.messages` value, in UTF-16 code units. Default 16 384. */
  maxContentLength?: number;
}

interface RequestTrace {
  readonly span: Span;
  /** The request span's context: the parent of each attempt span. */
  readonly context: Context;
  /** Attempt spans; null when the request span does not record (sampled out) and only its context travels on. */
  readonly attempts: Map<Attempt, Span> | null;
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * A request's arrival on the clock the OpenTelemetry SDK uses (time origin + monotonic time), so
 * span times taken from the context's timings line up with spans the SDK times itself; `Date.now()`
 * drifts from it in a long-lived process.
 */
const arrival = (ctx: RequestContext): number => performance.timeOrigin + ctx.startedAt;

const numberOr = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/**
 * OpenTelemetry tracing through `@opentelemetry/api` only: a SERVER span per request (`chat
 * {model}`) and a CLIENT span per upstream attempt (`chat {target model}`) with the GenAI
 * semantic conventions. An incoming `traceparent` is continued and each attempt's trace context
 * is sent upstream (through the registered propagator). Without an SDK, each request costs one
 * no-op span and a WeakMap miss per hook.
 */
export function tracing(options: TracingOptions = {}): Plugin {
  const captureContent = options.captureContent ?? false;
  const maxContentLength = options.maxContentLength ?? 16_384;
  let tracer: Tracer | null = null;
  const getTracer = (): Tracer => (tracer ??= (options.tracerProvider ?? trace.getTracerProvider()).getTracer("switchyard", VERSION));
  let providers: ReadonlyMap<string, ProviderAdapter> = new Map();
  const traces = new WeakMap<RequestContext, RequestTrace>();

  /** Starts the request span; returns null when nothing records it (no SDK, or sampled out). */
  function begin(ctx: RequestContext): RequestTrace | null {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.request.headers, headerGetter);
    const operation = A.OPERATION[ctx.surface] ?? ctx.surface;
    const span = getTracer().startSpan(
      ctx.model.length > 0 ? `${operation} ${ctx.model}` : operation,
      { kind: SpanKind.SERVER, startTime: arrival(ctx), attributes: { [A.GEN_AI_OPERATION_NAME]: operation, [A.GEN_AI_REQUEST_MODEL]: ctx.model } },
      parent,
    );
    if (!span.isRecording()) {
      // Sampled out behind a valid trace: the upstream still hears the decision. Without an SDK
      // or a propagator the context is invalid and this is the whole cost of a request.
      if (isSpanContextValid(span.spanContext())) traces.set(ctx, { span, context: trace.setSpan(parent, span), attempts: null });
      return null;
    }
    span.setAttributes(requestAttributes(ctx));
    const started: RequestTrace = { span, context: trace.setSpan(parent, span), attempts: new Map() };
    traces.set(ctx, started);
    return started;
  }

  function requestAttributes(ctx: RequestContext): Attributes {
    const url = new URL(ctx.request.url);
    const attributes: Attributes = {
      [A.HTTP_REQUEST_METHOD]: ctx.request.method,
      [A.URL_PATH]: url.pathname,
      [A.HTTP_ROUTE]: url.pathname,
      [A.SWITCHYARD_REQUEST_ID]: ctx.id,
    };
    const body = ctx.body;
    if (body !== null) {
      const maxTokens = numberOr(body.max_completion_tokens) ?? numberOr(body.max_tokens);
      if (maxTokens !== undefined) attributes[A.GEN_AI_REQUEST_MAX_TOKENS] = maxTokens;
      const temperature = numberOr(body.temperature);
      if (temperature !== undefined) attributes[A.GEN_AI_REQUEST_TEMPERATURE] = temperature;
      const topP = numberOr(body.top_p);
      if (topP !== undefined) attributes[A.GEN_AI_REQUEST_TOP_P] = topP;
      if (captureContent && Array.isArray(body.messages)) {
        const json = JSON.stringify(body.messages);
        attributes[A.GEN_AI_INPUT_MESSAGES] = json.length <= maxContentLength ? json : json.slice(0, maxContentLength);
      }
    }
    return attributes;
  }

  function attemptStarted(ctx: RequestContext, attempt: Attempt): void {
    const traced = traces.get(ctx);
    if (traced === undefined) return;
    if (traced.attempts === null) {
      propagation.inject(traced.context, attempt.headers);
      return;
    }
    const { provider, model } = attempt.target;
    const operation = A.OPERATION[ctx.surface] ?? ctx.surface;
    const system = providers.get(provider)?.kind ?? provider;
    const span = getTracer().startSpan(
      `${operation} ${model}`,
      {
        kind: SpanKind.CLIENT,
        startTime: arrival(ctx) + attempt.startedAt,
        attributes: {
          [A.GEN_AI_OPERATION_NAME]: operation,
          [A.GEN_AI_PROVIDER_NAME]: system,
          [A.GEN_AI_SYSTEM]: system,
          [A.GEN_AI_REQUEST_MODEL]: model,
          [A.SWITCHYARD_PROVIDER]: provider,
          [A.SWITCHYARD_ATTEMPT_INDEX]: attempt.index,
        },
      },
      traced.context,
    );
    traced.attempts.set(attempt, span);
    // The upstream sees this attempt as its parent: `traceparent` (and whatever else the propagator carries).
    propagation.inject(trace.setSpan(traced.context, span), attempt.headers);
  }

  function complete(ctx: RequestContext): void {
    if (ctx.surface === "models") return;
    // A request refused before its body parsed never reached onRequest: give it its span now.
    let traced = traces.get(ctx);
    if (traced !== undefined) traces.delete(ctx);
    else if (ctx.body === null) traced = begin(ctx) ?? undefined;
    if (traced === undefined || traced.attempts === null) return;
    const attempts = traced.attempts;
    const usage = ctx.usage;
    for (const attempt of ctx.attempts) {
      const span = attempts.get(attempt);
      if (span === undefined) {
        // Passed over before this plugin's onAttempt ran (an open circuit): nothing was sent.
        traced.span.addEvent("switchyard.attempt.skipped", { [A.SWITCHYARD_PROVIDER]: attempt.target.provider, [A.GEN_AI_REQUEST_MODEL]: attempt.target.model });
        continue;
      }
      span.setAttribute(A.SWITCHYARD_ATTEMPT_OUTCOME, attempt.outcome);
      if (attempt.status > 0) span.setAttribute(A.HTTP_RESPONSE_STATUS_CODE, attempt.status);
      if (attempt.outcome === "error") {
        span.setAttribute(A.ERROR_TYPE, attempt.errorCode ?? String(attempt.status));
        if (attempt.fault !== null) span.setAttribute(A.SWITCHYARD_FAULT, attempt.fault);
        span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.errorCode ?? undefined });
      }
      if (attempt.outcome === "ok" && ctx.served === attempt.target) {
        span.setAttribute(A.GEN_AI_RESPONSE_MODEL, attempt.target.model);
        if (usage !== null) setUsage(span, usage);
      }
      const duration = attempt.durationMs >= 0 ? attempt.durationMs : ctx.durationMs - attempt.startedAt;
      span.end(arrival(ctx) + attempt.startedAt + duration);
    }

    const span = traced.span;
    span.setAttribute(A.HTTP_RESPONSE_STATUS_CODE, ctx.status);
    span.setAttribute(A.SWITCHYARD_ATTEMPTS, attempts.size);
    if (ctx.served !== null) {
      span.setAttribute(A.GEN_AI_RESPONSE_MODEL, ctx.served.model);
      span.setAttribute(A.SWITCHYARD_PROVIDER, ctx.served.provider);
      const system = providers.get(ctx.served.provider)?.kind ?? ctx.served.provider;
      span.setAttribute(A.GEN_AI_PROVIDER_NAME, system);
      span.setAttribute(A.GEN_AI_SYSTEM, system);
    }
    if (usage !== null) setUsage(span, usage);
    const usd = ctx.vars.costUsd;
    if (typeof usd === "number") span.setAttribute(A.SWITCHYARD_COST_USD, usd);
    const error = ctx.error;
    if (error !== null) {
      span.setAttribute(A.ERROR_TYPE, error.code ?? String(error.status));
      span.setAttribute(A.SWITCHYARD_FAULT, error.fault);
      // As for HTTP servers: the gateway failed on 5xx; a refused or malformed request (4xx) is the caller's.
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end(arrival(ctx) + Math.max(0, ctx.durationMs));
  }

  return definePlugin({
    name: "tracing",
    // First in, so the request span covers every other plugin's work.
    enforce: "pre",
    setup(app) {
      providers = app.providers;
    },
    onRequest: {
      order: "pre",
      handler(ctx) {
        if (ctx.surface !== "models") begin(ctx);
      },
    },
    // After the other plugins, so skipped targets never get a span and injected headers are last.
    onAttempt: { order: "post", handler: attemptStarted },
    // After the cost plugin and the others, so usage and cost are final.
    onComplete: { order: "post", handler: complete },
    describe: () => ({ captureContent, tracerProvider: options.tracerProvider === undefined ? "global" : "given" }),
  });
}

function setUsage(span: Span, usage: NonNullable<RequestContext["usage"]>): void {
  span.setAttribute(A.GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens);
  span.setAttribute(A.GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens);
  if (usage.cachedTokens > 0) span.setAttribute(A.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, usage.cachedTokens);
  if (usage.cacheWriteTokens > 0) span.setAttribute(A.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, usage.cacheWriteTokens);
  if (usage.reasoningTokens > 0) span.setAttribute(A.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS, usage.reasoningTokens);
}
