import type { RenderedError, UpstreamErrorDetail } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import { isObject, parseObjectOrNull, stringOr } from "../json.ts";

/**
 * The canonical status names Google APIs pair with HTTP statuses
 * (https://ai.google.dev/gemini-api/docs/troubleshooting, google.rpc.Code).
 */
export function googleStatus(status: number): string {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 405:
      return "UNIMPLEMENTED";
    case 408:
    case 504:
      return "DEADLINE_EXCEEDED";
    case 409:
      return "ABORTED";
    case 413:
      return "OUT_OF_RANGE";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 502:
    case 503:
    case 529:
      return "UNAVAILABLE";
    default:
      return status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  }
}

/** The domain of the `ErrorInfo` detail that carries the gateway's own error code. */
const ERROR_DOMAIN = "switchyard";
const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

/**
 * An error as Google's clients expect it: `{"error":{"code","message","status","details"}}`. The
 * gateway's error code travels as the `reason` of an `ErrorInfo` detail, as Google's own reasons do.
 */
export function renderGeminiError(error: GatewayError): RenderedError {
  const body: Record<string, unknown> = { code: error.status, message: error.message, status: googleStatus(error.status) };
  if (error.code !== null) body.details = [{ "@type": ERROR_INFO, reason: error.code, domain: ERROR_DOMAIN }];
  return { status: error.status, body: JSON.stringify({ error: body }) };
}

/** The `reason` of the first `ErrorInfo` detail (Google's `API_KEY_INVALID` …), or null. */
function reasonOf(details: unknown): string | null {
  if (!Array.isArray(details)) return null;
  for (const detail of details) if (isObject(detail) && detail["@type"] === ERROR_INFO && typeof detail.reason === "string") return detail.reason;
  return null;
}

/** What a Google error body says. Google sends it as an object or, on some paths, as a one-item array. */
export function parseGeminiError(text: string): UpstreamErrorDetail | null {
  let parsed = parseObjectOrNull(text);
  if (parsed === null && text.trimStart().startsWith("[")) {
    try {
      const list = JSON.parse(text) as unknown;
      if (Array.isArray(list) && isObject(list[0])) parsed = list[0];
    } catch {
      return null;
    }
  }
  if (parsed === null || !isObject(parsed.error)) return null;
  const error = parsed.error;
  return { type: stringOr(error.status), message: stringOr(error.message), code: reasonOf(error.details), param: null };
}

/** Seconds from a `RetryInfo` detail (`"retryDelay": "30s"`), as a `Retry-After` value; null without one. */
export function retryDelayOf(text: string): string | null {
  const parsed = parseObjectOrNull(text);
  const details = parsed !== null && isObject(parsed.error) ? parsed.error.details : null;
  if (!Array.isArray(details)) return null;
  for (const detail of details) {
    if (!isObject(detail) || typeof detail.retryDelay !== "string") continue;
    const seconds = Number.parseFloat(detail.retryDelay);
    if (Number.isFinite(seconds) && seconds >= 0) return String(Math.ceil(seconds));
  }
  return null;
}
