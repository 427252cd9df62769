import type { RenderedError, UpstreamErrorDetail } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import { parseObjectOrNull, stringOr } from "../json.ts";

/** `com.amazon.bedrock#ThrottlingException` or `ThrottlingException:http://…` → `ThrottlingException`. */
export function bedrockErrorType(raw: string | null): string | null {
  if (raw === null || raw.length === 0) return null;
  const name = raw.split(":")[0];
  const hash = name.lastIndexOf("#");
  return hash >= 0 ? name.slice(hash + 1) : name;
}

/**
 * An AWS JSON error body: `{"message":"…"}` (some services write `Message`), with the exception
 * name in `__type` when the body carries it. The `x-amzn-ErrorType` header names it otherwise;
 * the provider adapter adds that.
 */
export function parseBedrockError(text: string): UpstreamErrorDetail | null {
  const body = parseObjectOrNull(text);
  if (body === null) return null;
  const message = stringOr(body.message) ?? stringOr(body.Message);
  const type = bedrockErrorType(stringOr(body.__type));
  if (message === null && type === null) return null;
  return { type, message, code: null, param: null };
}

/** Exception names by status, as Bedrock Runtime answers them. */
function exceptionFor(status: number): string {
  if (status === 400 || status === 413 || status === 422) return "ValidationException";
  if (status === 401 || status === 403) return "AccessDeniedException";
  if (status === 404) return "ResourceNotFoundException";
  if (status === 408 || status === 504) return "ModelTimeoutException";
  if (status === 429) return "ThrottlingException";
  if (status === 503) return "ServiceUnavailableException";
  return "InternalServerException";
}

/** A gateway error in AWS's JSON error shape. */
export function renderBedrockError(error: GatewayError): RenderedError {
  return { status: error.status === 529 ? 503 : error.status, body: JSON.stringify({ __type: exceptionFor(error.status), message: error.message }) };
}
