import type { RenderedError, UpstreamErrorDetail } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import { isObject, parseObjectOrNull, stringOr } from "../json.ts";

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors). */
const ANTHROPIC_TYPES = new Set([
  "invalid_request_error",
  "authentication_error",
  "billing_error",
  "permission_error",
  "not_found_error",
  "request_too_large",
  "rate_limit_error",
  "api_error",
  "timeout_error",
  "overloaded_error",
]);

function typeFor(status: number): string {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

/**
 * An error as Anthropic clients expect it: `{"type":"error","error":{"type","message"},"request_id"}`,
 * the request id being the gateway's (its `x-request-id`) when the caller gives one.
 */
export function renderAnthropicError(error: GatewayError, requestId?: string): RenderedError {
  // Anthropic's own specific types are kept; the generic one (which the OpenAI vocabulary also
  // gives a 404 or 413) gives way to the status's own type.
  const type = ANTHROPIC_TYPES.has(error.type) && error.type !== "invalid_request_error" ? error.type : typeFor(error.status);
  const body: Record<string, unknown> = { type: "error", error: { type, message: error.message } };
  if (requestId !== undefined) body.request_id = requestId;
  return { status: error.status, body: JSON.stringify(body) };
}

/** What an Anthropic error body says. */
export function parseAnthropicError(text: string): UpstreamErrorDetail | null {
  const parsed = parseObjectOrNull(text);
  if (parsed === null || !isObject(parsed.error)) return null;
  return { type: stringOr(parsed.error.type), message: stringOr(parsed.error.message), code: null, param: null };
}
