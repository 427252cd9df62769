import type { UpstreamErrorDetail } from "./dialect.ts";
import { GatewayError, type UpstreamErrorInfo } from "./errors.ts";
import { redactText } from "./redact.ts";

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);
const MAX_ERROR_TEXT = 1000;

/** Parse `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.length === 0) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `retry-after-ms` (OpenAI and Azure send it): milliseconds, finer than `Retry-After`. */
function parseRetryAfterMs(value: string | null): number | undefined {
  if (value === null || value.length === 0) return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** A non-2xx upstream answer, as a provider adapter read it. */
export interface UpstreamFailure {
  readonly status: number;
  /** The raw body: kept for the log record only (redacted there), never sent to the caller. */
  readonly text: string;
  /** What the provider dialect read from the body (`dialect.parseError`); null when unreadable. */
  readonly detail: UpstreamErrorDetail | null;
  readonly retryAfter: string | null;
  /** `retry-after-ms` (OpenAI and Azure send it): finer than `Retry-After`. */
  readonly retryAfterMs?: string | null;
  /** The provider's own request id, passed on so the caller can quote it to the provider. */
  readonly requestId?: string | null;
}

/** Anthropic's "overloaded": the provider's fault, and worth another try. */
const OVERLOADED = 529;

/**
 * Classify a non-2xx upstream answer. The caller gets an error rebuilt from what is safe: the
 * status, the provider's error type, code and param, and its message with anything key-like
 * scrubbed (an upstream that echoes the Authorization header it got must not hand the provider
 * key to the caller); never the raw body, which may be an HTML page or a stack trace.
 * - 401/403: the gateway's provider credentials are wrong, which the caller cannot fix: 502,
 *   retryable on another target.
 * - 408/409/429/5xx/529: the provider's, retryable (with its `Retry-After`).
 * - Other 4xx (400, 404, 413, 422 …): the request's own fault, kept with its status, not retried.
 */
export function upstreamError(provider: string, failure: UpstreamFailure): GatewayError {
  const { status, detail } = failure;
  const retryAfterMs = parseRetryAfterMs(failure.retryAfterMs ?? null) ?? parseRetryAfter(failure.retryAfter);
  const upstream: UpstreamErrorInfo = {
    status,
    type: detail?.type ?? null,
    code: detail?.code ?? null,
    requestId: failure.requestId ?? null,
    body: failure.text,
  };
  let headers: Record<string, string> | undefined;
  if (failure.requestId != null && SAFE_REQUEST_ID.test(failure.requestId)) headers = { "x-switchyard-upstream-request-id": failure.requestId };
  if (status === 401 || status === 403) {
    return new GatewayError({
      status: 502,
      message: `Provider "${provider}" rejected the gateway's credentials (upstream status ${status}).`,
      code: "upstream_auth_failed",
      fault: "gateway",
      retryable: true,
      headers,
      upstream,
    });
  }
  const retryable = RETRYABLE_STATUS.has(status) || status >= 500;
  const said = detail?.message != null && detail.message.length > 0 ? clip(redactText(detail.message, [])) : null;
  const message = retryable
    ? `Provider "${provider}" failed with status ${status}${said !== null ? `: ${said}` : "."}`
    : (said ?? `Provider "${provider}" refused the request with status ${status}.`);
  if (status === 429 && retryAfterMs !== undefined) (headers ??= {})["retry-after"] = String(Math.ceil(retryAfterMs / 1000));
  return new GatewayError({
    status,
    message,
    code: detail?.code ?? (status === 429 ? "rate_limit_exceeded" : status === OVERLOADED ? "upstream_overloaded" : retryable ? "upstream_error" : "upstream_rejected"),
    type: detail?.type ?? (status === 429 ? "rate_limit_error" : status === OVERLOADED ? "overloaded_error" : undefined),
    param: detail?.param ?? null,
    fault: retryable ? "provider" : "client",
    retryable,
    retryAfterMs,
    headers,
    upstream,
  });
}

/** Provider request ids are short tokens; anything else is not worth passing on. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function clip(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

/** Why the gateway itself aborted an upstream call. */
export class UpstreamTimeout extends Error {
  constructor(readonly which: "connect" | "firstByte" | "idle" | "total", readonly ms: number) {
    super(`upstream ${which} timeout after ${ms} ms`);
    this.name = "UpstreamTimeout";
  }
}

export function timeoutError(provider: string, timeout: UpstreamTimeout): GatewayError {
  return new GatewayError({
    status: 504,
    message: `Provider "${provider}" did not answer in time (${timeout.which} timeout, ${timeout.ms} ms).`,
    code: "upstream_timeout",
    type: "timeout_error",
    fault: "provider",
    retryable: true,
    cause: timeout,
  });
}

/** A connection refused, reset or otherwise broken before an answer. */
export function networkError(provider: string, cause: unknown): GatewayError {
  const detail = cause instanceof Error ? ((cause as { cause?: { code?: string } }).cause?.code ?? (cause as { code?: string }).code ?? cause.message) : String(cause);
  return new GatewayError({
    status: 502,
    message: `Could not reach provider "${provider}" (${detail}).`,
    code: "upstream_unreachable",
    fault: "provider",
    retryable: true,
    cause,
  });
}
