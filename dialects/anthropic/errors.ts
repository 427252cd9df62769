/** Anthropic's error shape `{"type":"error","error":{"type","message"},"request_id"}`, both ways. */
import type { RenderedError, UpstreamErrorDetail } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import { isObject, stringOr } from "../json.ts";

/** Anthropic's documented error types, each with its status. */
const STATUS_OF: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * The type an Anthropic client expects for a status. 503 (no target available, a limit store down)
 * is capacity the client should wait for, which Anthropic calls overloaded.
 */
function typeForStatus(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 408:
    case 504:
      return "timeout_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/**
 * The error's own type when it is an Anthropic one (an upstream's `overloaded_error`, the
 * gateway's `timeout_error`), else the type for its status. `invalid_request_error` and
 * `api_error` are also the gateway's defaults for any 4xx and 5xx, so they give way to a more
 * precise type for the status (a 404 is `not_found_error`, a 413 `request_too_large`).
 */
export function anthropicErrorType(error: GatewayError): string {
  const own = error.type;
  if (STATUS_OF[own] !== undefined && own !== "invalid_request_error" && own !== "api_error") return own;
  return typeForStatus(error.status);
}

/** The error object as it appears in an error body and in a stream's `error` event. */
export function anthropicErrorJson(error: GatewayError, requestId?: string): string {
  const body: Record<string, unknown> = { type: "error", error: { type: anthropicErrorType(error), message: error.message } };
  if (requestId !== undefined) body.request_id = requestId;
  return JSON.stringify(body);
}

/** Any gateway error as an Anthropic client receives it (the status unchanged: 529 is Anthropic's own). */
export function renderAnthropicError(error: GatewayError, requestId?: string): RenderedError {
  return { status: error.status, body: anthropicErrorJson(error, requestId) };
}

/**
 * What an Anthropic-format error body says. Proxies in front of Anthropic-compatible servers also
 * answer `{"error":{"message"}}` without the outer type, or `{"message":…}`; anything else is null.
 */
export function parseAnthropicError(text: string): UpstreamErrorDetail | null {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start++;
  if (text.charCodeAt(start) !== 123 /* { */) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const error = parsed.error;
  if (isObject(error)) return { type: stringOr(error.type), message: stringOr(error.message), code: null, param: null };
  const message = stringOr(error) ?? stringOr(parsed.message);
  return message === null ? null : { type: null, message, code: null, param: null };
}
