import type { RenderedError, UpstreamErrorDetail } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import { parseObjectOrNull, stringOr } from "../json.ts";

/** Error types of other dialects, in OpenAI's words. */
const FOREIGN_TYPES: Readonly<Record<string, string>> = {
  not_found_error: "invalid_request_error",
  request_too_large: "invalid_request_error",
  overloaded_error: "server_error",
  billing_error: "insufficient_quota",
};

/**
 * The OpenAI error shape `{"error":{"message","type","code","param"}}`. Anthropic's 529
 * ("overloaded") is no HTTP status OpenAI clients know: they get 503, which they retry the same way.
 */
export function renderOpenAIError(error: GatewayError): RenderedError {
  const type = FOREIGN_TYPES[error.type] ?? error.type;
  const body = JSON.stringify({ error: { message: error.message, type, code: error.code, param: error.param } });
  return { status: error.status === 529 ? 503 : error.status, body };
}

/**
 * What an OpenAI-format error body says. Besides OpenAI's own shape, OpenAI-compatible servers
 * answer `{"error":"text"}`, `{"message":…}` or FastAPI's `{"detail":…}`; anything else is null.
 */
export function parseOpenAIError(text: string): UpstreamErrorDetail | null {
  const body = parseObjectOrNull(text);
  if (body === null) return null;
  const error = body.error;
  if (error !== null && typeof error === "object") {
    const e = error as Record<string, unknown>;
    const code = typeof e.code === "number" ? String(e.code) : stringOr(e.code);
    return { type: stringOr(e.type), message: stringOr(e.message), code, param: stringOr(e.param) };
  }
  const message = stringOr(error) ?? stringOr(body.message) ?? (typeof body.detail === "string" ? body.detail : null);
  return message === null ? null : { type: stringOr(body.type), message, code: null, param: null };
}
