import type { RequestContext } from "./context.ts";
import type { FaultClass, GatewayError } from "./errors.ts";
import { redactJson, redactText, requestSecrets } from "./redact.ts";
import type { AttemptOutcome, Surface } from "./types.ts";
import { utf8Length } from "./utf8.ts";

/** Bumped on any change a reader could notice; `plugins/log/SCHEMA.md` describes each field. */
export const LOG_SCHEMA = "switchyard.log/1";

export interface LogAttempt {
  index: number;
  provider: string;
  model: string;
  outcome: AttemptOutcome;
  status: number;
  /** ms from the request's arrival */
  startMs: number;
  firstByteMs: number | null;
  durationMs: number | null;
  errorCode: string | null;
  fault: FaultClass | null;
}

/** A body as logged: redacted JSON text, cut at the configured byte limit. */
export interface LogBody {
  text: string;
  truncated: boolean;
}

/** One request, as every sink receives it. Holds no credential: see `buildLogRecord`. */
export interface LogRecord {
  schema: typeof LOG_SCHEMA;
  id: string;
  /** Arrival, ISO 8601 UTC. */
  time: string;
  surface: Surface;
  method: string;
  path: string;
  principal: { id: string; team: string | null; tags: readonly string[] } | null;
  requested: { model: string | null; stream: boolean };
  served: { provider: string; model: string } | null;
  attempts: LogAttempt[];
  status: number;
  error: {
    code: string | null;
    type: string;
    fault: FaultClass;
    message: string;
    /** The plugin and hook that raised it, when a plugin did. */
    plugin?: string;
    hook?: string;
    /** What the provider answered, when the error is its answer: its body redacted and cut to 2 KiB. */
    upstream?: { status: number; type: string | null; code: string | null; requestId: string | null; body: string };
  } | null;
  /** Request fields the serving target could not honour, left out while translating; null when none. */
  dropped: string[] | null;
  usage: { inputTokens: number; outputTokens: number; cachedTokens: number; cacheWriteTokens: number; reasoningTokens: number; totalTokens: number } | null;
  costUsd: number | null;
  cache: "hit" | "miss" | "bypass" | null;
  timings: { totalMs: number; firstByteMs: number | null; upstreamMs: number; overheadMs: number };
  bytes: { in: number; out: number | null };
  userAgent: string | null;
  request?: LogBody;
  response?: LogBody;
}

export interface LogBodyOptions {
  /** Longest body kept, in UTF-8 bytes; longer ones are cut (after redaction). Default 4096. */
  maxBytes?: number;
}

export interface LogRecordOptions {
  /** Log request and response bodies, redacted and truncated. Off by default. */
  bodies?: boolean | LogBodyOptions;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DEFAULT_BODY_BYTES = 4096;

/** Requests under load arrive many to a millisecond: the last arrival's ISO time is kept for the next. */
let isoMs = Number.NaN;
let isoText = "";

function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}

function rounded(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function known(ms: number): number | null {
  return ms < 0 ? null : rounded(ms);
}

function cut(text: string, maxBytes: number): LogBody {
  if (text.length <= maxBytes / 3 || utf8Length(text) <= maxBytes) return { text, truncated: false };
  // Decoding a byte prefix may end in a replacement character; that beats a split surrogate.
  return { text: decoder.decode(encoder.encode(text).subarray(0, maxBytes)), truncated: true };
}

const UPSTREAM_BODY_BYTES = 2048;
const NO_SECRETS: readonly string[] = Object.freeze([]);

function logError(error: GatewayError, secrets: readonly string[]): NonNullable<LogRecord["error"]> {
  const out: NonNullable<LogRecord["error"]> = { code: error.code, type: error.type, fault: error.fault, message: redactText(error.message, secrets) };
  if (error.plugin !== undefined) {
    out.plugin = error.plugin;
    if (error.hook !== undefined) out.hook = error.hook;
  }
  const upstream = error.upstream;
  if (upstream !== undefined) {
    out.upstream = {
      status: upstream.status,
      type: upstream.type,
      code: upstream.code,
      requestId: upstream.requestId,
      body: cut(redactText(upstream.body, secrets), UPSTREAM_BODY_BYTES).text,
    };
  }
  return out;
}

/**
 * The log record of a finished request. Secrets are removed here, before the record is queued:
 * no header is copied, the principal carries ids only, and error messages and bodies are scrubbed
 * of key-like strings and of the exact credentials this request carried.
 */
export function buildLogRecord(ctx: RequestContext, options: LogRecordOptions = {}): LogRecord {
  const headers = ctx.request.headers;
  const bodies = options.bodies;
  const logsBodies = bodies !== undefined && bodies !== false;
  // Only an error message or a body can carry the request's credentials: read them only then.
  const secrets = ctx.error !== null || logsBodies ? requestSecrets(headers) : NO_SECRETS;
  let upstreamMs = 0;
  const attempts: LogAttempt[] = new Array(ctx.attempts.length);
  for (let i = 0; i < ctx.attempts.length; i++) {
    const a = ctx.attempts[i];
    if (a.outcome !== "skipped" && a.durationMs > 0) upstreamMs += a.durationMs;
    attempts[i] = {
      index: a.index,
      provider: a.target.provider,
      model: a.target.model,
      outcome: a.outcome,
      status: a.status,
      startMs: rounded(a.startedAt),
      firstByteMs: known(a.firstByteMs),
      durationMs: known(a.durationMs),
      errorCode: a.errorCode,
      fault: a.fault,
    };
  }
  const total = ctx.durationMs < 0 ? 0 : ctx.durationMs;
  const principal = ctx.principal;
  const error = ctx.error;
  const usage = ctx.usage;
  // Written by the cost and cache plugins when present; read loosely so core needs neither.
  const vars = ctx.vars as { costUsd?: unknown; cache?: unknown };
  const cost = vars.costUsd;
  const cacheStatus = vars.cache;
  const sent = ctx.response;
  const url = ctx.request.url;
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  const queryStart = url.indexOf("?", pathStart);
  const record: LogRecord = {
    schema: LOG_SCHEMA,
    id: ctx.id,
    time: isoTime(ctx.receivedAt),
    surface: ctx.surface,
    method: ctx.request.method,
    path: pathStart < 0 ? "/" : url.slice(pathStart, queryStart < 0 ? undefined : queryStart),
    principal: principal === null ? null : { id: principal.id, team: principal.team ?? null, tags: principal.tags ?? [] },
    requested: { model: ctx.model === "" ? null : ctx.model, stream: ctx.stream },
    served: ctx.served === null ? null : { provider: ctx.served.provider, model: ctx.served.model },
    attempts,
    status: ctx.status,
    error: error === null ? null : logError(error, secrets),
    dropped: ctx.dropped === null ? null : ctx.dropped.slice(),
    usage: usage === null
      ? null
      : {
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedTokens: usage.cachedTokens,
        cacheWriteTokens: usage.cacheWriteTokens,
        reasoningTokens: usage.reasoningTokens,
        totalTokens: usage.totalTokens,
      },
    costUsd: typeof cost === "number" ? cost : null,
    cache: cacheStatus === "hit" || cacheStatus === "miss" || cacheStatus === "bypass" ? cacheStatus : null,
    timings: {
      totalMs: rounded(total),
      firstByteMs: known(ctx.firstByteMs),
      upstreamMs: rounded(upstreamMs),
      overheadMs: rounded(total > upstreamMs ? total - upstreamMs : 0),
    },
    bytes: {
      in: ctx.rawBodyBytes,
      out: sent.streamedBytes >= 0 ? sent.streamedBytes : sent.text !== null ? utf8Length(sent.text) : null,
    },
    userAgent: headers.get("user-agent"),
  };
  if (logsBodies) {
    const maxBytes = (bodies === true ? undefined : bodies.maxBytes) ?? DEFAULT_BODY_BYTES;
    if (ctx.body !== null) record.request = cut(JSON.stringify(redactJson(ctx.body, secrets)), maxBytes);
    if (sent.text !== null) record.response = cut(redactText(sent.text, secrets), maxBytes);
  }
  return record;
}

/**
 * The log record of a finished request, built once per request for every plugin that logs no
 * bodies (the log plugin and the dashboard's request ring read the same one; sinks already share
 * a record between them). Call it from `onComplete`, when the request is done changing. Treat the
 * record as read-only: another plugin may hold it.
 */
export function logRecordOf(ctx: RequestContext, options: LogRecordOptions = {}): LogRecord {
  const bodies = options.bodies;
  if (bodies !== undefined && bodies !== false) return buildLogRecord(ctx, options);
  let record = ctx.plainLogRecord as LogRecord | null;
  if (record === null) {
    record = buildLogRecord(ctx, options);
    ctx.plainLogRecord = record;
  }
  return record;
}
