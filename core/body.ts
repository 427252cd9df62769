import { badRequest, payloadTooLarge } from "./errors.ts";

/**
 * Read a request body as text, refusing more than `limit` bytes without reading the rest:
 * a declared Content-Length over the limit is refused before any byte is read, and a chunked
 * body is cancelled as soon as it passes the limit.
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    const length = Number(declared);
    if (length > limit) {
      request.body?.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
  }
  const body = request.body;
  if (body === null) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        reader.cancel().catch(() => {});
        throw payloadTooLarge(limit);
      }
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    if (error instanceof Error && error.name === "GatewayError") throw error;
    throw badRequest("Could not read the request body.", null, "body_read_failed");
  } finally {
    reader.releaseLock?.();
  }
  return text + decoder.decode();
}

/** Parse a JSON object body, with an OpenAI-shaped 400 for anything else. */
export function parseJsonObject(text: string): Record<string, unknown> {
  if (text.length === 0) throw badRequest("Request body is empty; expected a JSON object.", null, "invalid_json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "";
    throw badRequest(`Request body is not valid JSON: ${detail}`, null, "invalid_json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("Request body must be a JSON object.", null, "invalid_json");
  }
  return value as Record<string, unknown>;
}
