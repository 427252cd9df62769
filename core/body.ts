import { badRequest, GatewayError, payloadTooLarge } from "./errors.ts";
import { printable } from "./printable.ts";

/**
 * Set (to true) by a runtime adapter on the Requests its HTTP server produced: the server's parser
 * ends a body with a Content-Length at that length, so no more than declared can arrive. A Request
 * made in-process has no such guarantee (its header may understate its body) and is read as a
 * stream with the limit checked per chunk.
 */
export const FRAMED_BODY: unique symbol = Symbol.for("switchyard.framedBody");

type FramedRequest = Request & { [FRAMED_BODY]?: boolean };

/** Strict UTF-8: a body that is not valid UTF-8 is refused rather than silently mangled. */
const utf8 = (): TextDecoder => new TextDecoder("utf-8", { fatal: true });
/**
 * One strict decoder for whole bodies: a decode without `stream` keeps no state between calls
 * (a failed one resets it), and making a TextDecoder costs more than decoding a small body.
 */
const wholeDecoder = utf8();

function invalidUtf8(): GatewayError {
  return badRequest("Request body is not valid UTF-8.", null, "invalid_utf8");
}

function unsupportedMedia(message: string): GatewayError {
  return new GatewayError({ status: 415, message, code: "unsupported_media_type", fault: "client" });
}

/** `application/json` or a `+json` type, parameters allowed (`; charset=utf-8`). */
const JSON_MEDIA = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * JSON endpoints take JSON only. A body sent as `text/plain`, a form or with no type at all is
 * what a web page can make a browser send cross-site without a preflight, so refusing it keeps a
 * page from spending the gateway's keys through a visitor's browser.
 */
export function checkJsonContentType(headers: Headers): void {
  const type = headers.get("content-type");
  if (type === null) throw unsupportedMedia("Missing Content-Type; send the body as application/json.");
  if (!JSON_MEDIA.test(type)) throw unsupportedMedia(`Unsupported Content-Type; send the body as application/json.`);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (charset !== undefined && charset.toLowerCase() !== "utf-8" && charset.toLowerCase() !== "utf8") {
    throw unsupportedMedia(`Unsupported charset "${printable(charset)}"; send the body as UTF-8.`);
  }
}

/** The body's `Content-Encoding`, when the gateway can decode it; a 415 otherwise. */
function encodingOf(headers: Headers): "gzip" | "deflate" | null {
  const value = headers.get("content-encoding");
  if (value === null) return null;
  const encoding = value.trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return null;
  if (encoding === "gzip" || encoding === "x-gzip") return "gzip";
  if (encoding === "deflate") return "deflate";
  throw unsupportedMedia(`Unsupported Content-Encoding "${printable(value)}"; send the body uncompressed, gzip or deflate.`);
}

/**
 * Read a request body as text, refusing more than `limit` bytes without reading the rest: a
 * declared Content-Length over the limit is refused before any byte is read, and a chunked body is
 * cancelled as soon as it passes the limit. A gzip or deflate body is decoded on the way, with the
 * limit applied to what it decodes to (no zip bombs). The text must be valid UTF-8.
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  return (await readBody(request, limit)).text;
}

/** A body as read: its text, and its size in UTF-8 bytes (decoded, for a compressed body). */
export class BodyText {
  constructor(readonly text: string, readonly bytes: number) {}
}

const EMPTY_BODY = new BodyText("", 0);

/**
 * `readBodyText`, with the body's byte count, which the log needs and is costly to recount from a
 * long text. Not an async function: a framed body's read is the runtime's promise, decoded in its
 * `then`, with no extra promise and turn per request.
 */
export function readBody(request: Request, limit: number): Promise<BodyText> {
  try {
    const encoding = encodingOf(request.headers);
    const declared = request.headers.get("content-length");
    if (declared !== null) {
      const length = Number(declared);
      if (length > limit) {
        // A server's own Request is left to its adapter, which stops reading the rest; opening its
        // body stream here would start the very read that has to be avoided.
        if ((request as FramedRequest)[FRAMED_BODY] !== true) request.body?.cancel().catch(() => {});
        throw payloadTooLarge(limit);
      }
      // The server already ends such a body at its declared length, so it is read whole, without
      // a stream and a reader per chunk.
      if (encoding === null && (request as FramedRequest)[FRAMED_BODY] === true && Number.isInteger(length) && length >= 0) return wholeText(request);
    }
    return streamedText(request, encoding, limit);
  } catch (error) {
    return Promise.reject(error);
  }
}

async function streamedText(request: Request, encoding: "gzip" | "deflate" | null, limit: number): Promise<BodyText> {
  let body = request.body;
  if (body === null) return EMPTY_BODY;
  if (encoding !== null) body = body.pipeThrough(new DecompressionStream(encoding));
  const reader = body.getReader();
  const decoder = utf8();
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
      text += decode(decoder, value);
    }
    text += decode(decoder, undefined);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (encoding !== null) throw badRequest(`Request body is not valid ${encoding} data.`, null, "invalid_encoding");
    throw badRequest("Could not read the request body.", null, "body_read_failed");
  } finally {
    reader.releaseLock?.();
  }
  return new BodyText(text, received);
}

/** One step of a streaming strict decode (`chunk` undefined: the end). */
function decode(decoder: TextDecoder, chunk: Uint8Array | undefined): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch {
    throw invalidUtf8();
  }
}

type BytesRequest = Request & { bytes?: () => Promise<Uint8Array> };

function readFailed(): GatewayError {
  return badRequest("Could not read the request body.", null, "body_read_failed");
}

function decodeWhole(bytes: ArrayBuffer | Uint8Array): BodyText {
  try {
    return new BodyText(wholeDecoder.decode(bytes), bytes.byteLength);
  } catch {
    throw invalidUtf8();
  }
}

function wholeText(request: Request): Promise<BodyText> {
  let bytes: Promise<ArrayBuffer | Uint8Array>;
  try {
    // `bytes()` where the runtime has it: the body as it arrived, without arrayBuffer()'s copy.
    const withBytes = request as BytesRequest;
    bytes = typeof withBytes.bytes === "function" ? withBytes.bytes() : request.arrayBuffer();
  } catch {
    return Promise.reject(readFailed());
  }
  return bytes.then(decodeWhole, () => {
    throw readFailed();
  });
}

/** Nesting deeper than any real request needs: recursive walks over bodies stay far from the stack limit. */
export const DEFAULT_MAX_JSON_DEPTH = 128;

/**
 * Parse a JSON object body, with a 400 for anything else. The result is deeply frozen (so a body
 * has one owner: the context, whose `setBody` is the one way to change it) and its nesting is
 * bounded, checked here iteratively once so that every later walk over it is safe.
 */
export function parseJsonObject(text: string, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): Record<string, unknown> {
  if (text.length === 0) throw badRequest("Request body is empty; expected a JSON object.", null, "invalid_json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : "";
    throw badRequest(`Request body is not valid JSON: ${printable(detail)}`, null, "invalid_json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("Request body must be a JSON object.", null, "invalid_json");
  }
  freezeJson(value, maxDepth);
  return value as Record<string, unknown>;
}

/**
 * Freeze a parsed JSON value and everything in it, refusing nesting deeper than `maxDepth` with a
 * 400. Iterative: a hostile body nested 100 000 levels deep costs a loop, not a stack overflow.
 */
export function freezeJson(root: object, maxDepth: number = DEFAULT_MAX_JSON_DEPTH): void {
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const value = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) throw badRequest(`Request body nests deeper than ${maxDepth} levels.`, null, "json_too_deep");
    Object.freeze(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== null && typeof item === "object") {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== null && typeof item === "object") {
          stack.push(item);
          depths.push(depth + 1);
        }
      }
    }
  }
}
