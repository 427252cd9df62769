import { GatewayError } from "./errors.ts";

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);
const MAX_ERROR_TEXT = 500;

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

function openAIErrorBody(text: string): string | undefined {
  if (text.length === 0 || text.charCodeAt(0) !== 123 /* { */) return undefined;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    return parsed.error !== null && typeof parsed.error === "object" && typeof parsed.error.message === "string" ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Classify a non-2xx upstream answer. Errors the request caused (400, 404, 422 …) keep their
 * status and the provider's own OpenAI-shaped body, and are not retried. 401/403 mean the
 * gateway's provider credentials are wrong, which the caller cannot fix: 502, retryable on
 * another target. 408/409/429/5xx are the provider's, and retryable.
 */
export function upstreamError(provider: string, status: number, text: string, retryAfter: string | null, retryAfterMsHeader: string | null = null): GatewayError {
  const retryAfterMs = parseRetryAfterMs(retryAfterMsHeader) ?? parseRetryAfter(retryAfter);
  if (status === 401 || status === 403) {
    return new GatewayError({
      status: 502,
      message: `Provider "${provider}" rejected the gateway's credentials (upstream status ${status}).`,
      code: "upstream_auth_failed",
      fault: "gateway",
      retryable: true,
    });
  }
  const retryable = RETRYABLE_STATUS.has(status) || status > 500;
  const body = openAIErrorBody(text);
  const snippet = text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
  return new GatewayError({
    status,
    message: `Provider "${provider}" returned status ${status}${snippet.length > 0 ? `: ${snippet}` : "."}`,
    code: status === 429 ? "rate_limit_exceeded" : retryable ? "upstream_error" : "upstream_rejected",
    type: status === 429 ? "rate_limit_error" : undefined,
    fault: retryable ? "provider" : "client",
    retryable,
    retryAfterMs,
    headers: status === 429 && retryAfterMs !== undefined ? { "retry-after": String(Math.ceil(retryAfterMs / 1000)) } : undefined,
    body,
  });
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
