import { badRequest, payloadTooLarge } from "./errors.ts";

/**
 * Set (to true) by a runtime adapter on the Requests its HTTP server produced: the server's parser
 * ends a body with a Content-Length at that length, so no more than declared can arrive. A Request
 * made in-process has no such guarantee (its header may understate its body) and is read as a
 * stream with the limit checked per chunk.
 */
export const FRAMED_BODY: unique symbol = Symbol.for("switchyard.framedBody");

type FramedRequest = Request & { [FRAMED_BODY]?: boolean };

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
    // The server already ends such a body at its declared length, so it is read whole, without
    // a stream and a reader per chunk.
    if ((request as FramedRequest)[FRAMED_BODY] === true && Number.isInteger(length) && length >= 0) return wholeText(request);
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

async function wholeText(request: Request): Promise<string> {
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw badRequest("Could not read the request body.", null, "body_read_failed");
  }
  return text;
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
