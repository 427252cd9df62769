import type { IncomingMessage, ServerResponse } from "node:http";
import { ClientSignal } from "../core/abort-watch.ts";
import { takeParts } from "../core/response-record.ts";
import { serverRequestId } from "./client-errors.ts";
import { lazyRequest } from "./node-request.ts";

const UNREAD_BODY_GRACE_MS = 5_000;
/** The most of an unwanted body read (and dropped) to keep its connection usable. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

/** Requests answered before their body ended, whose body streams must not resume reading. */
const unwanted = new WeakSet<IncomingMessage>();

/** A fetch handler: what the gateway (or any web-standard app) exposes. */
export type FetchHandler = (request: Request) => Promise<Response>;

function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  const onData = (chunk: Buffer): void => {
    if (!open) return;
    controllerRef!.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controllerRef!.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = (): void => {
    if (open) {
      open = false;
      controllerRef!.close();
    }
  };
  const onError = (error: Error): void => {
    if (open) {
      open = false;
      controllerRef!.error(error);
    }
  };
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
        req.on("data", onData);
        req.once("end", onEnd);
        req.once("error", onError);
      },
      pull() {
        // Not once the answer went out without the body: reading has stopped for good.
        if (!unwanted.has(req)) req.resume();
      },
      cancel() {
        // Stop reading (a body over the size limit); the response says `connection: close`.
        open = false;
        req.pause();
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
      },
    },
    { highWaterMark: 65536, size: (chunk) => chunk.byteLength },
  );
}

function toRequest(req: IncomingMessage, client: ClientSignal): Request {
  return lazyRequest(req, client, () => bodyStream(req));
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Sync for the gateway's own whole answers (no promise per request); a promise for streams and foreign Responses. */
function writeResponse(response: Response, res: ServerResponse): Promise<void> | undefined {
  if (response.type === "error") {
    // `Response.error()` is the web platform's network error: drop the connection, no answer.
    const socket = res.socket as (ServerResponse["socket"] & { resetAndDestroy?: () => void }) | null;
    if (socket?.resetAndDestroy !== undefined) socket.resetAndDestroy();
    else res.destroy();
    return;
  }
  // The gateway's own answers: their status, plain header fields and text or stream, with no
  // web Headers or body stream made to read them back.
  const parts = takeParts(response);
  if (parts !== null && parts.text !== null) {
    // A flat [name, value, …] list: node:http takes it as is, with no header object to build and walk.
    const headers: string[] = [];
    const fields = parts.fields;
    for (const name in fields) headers.push(name, fields[name]);
    headers.push("content-length", String(Buffer.byteLength(parts.text)));
    res.writeHead(parts.status, headers);
    res.end(parts.text);
    return;
  }
  if (parts !== null && parts.stream !== null) return pipeStream(parts.stream, parts.status, parts.fields, res);
  return writeForeign(response, res);
}

/** A Response the gateway did not build (a plugin's, or one a caller made): read through its own Headers and body. */
async function writeForeign(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = response.body;
  const contentType = headers["content-type"] ?? "";
  if (body === null || !contentType.startsWith("text/event-stream")) {
    // Whole bodies go out in one write, with a length, so keep-alive clients need no chunking.
    const bytes = body === null ? null : Buffer.from(await response.arrayBuffer());
    if (bytes !== null) headers["content-length"] = String(bytes.byteLength);
    res.writeHead(response.status, headers);
    res.end(bytes);
    return;
  }
  return pipeStream(body, response.status, headers, res);
}

/** An event stream out, chunk by chunk, with backpressure; a client that leaves cancels it. */
async function pipeStream(body: ReadableStream<Uint8Array>, status: number, headers: Readonly<Record<string, string>>, res: ServerResponse): Promise<void> {
  res.writeHead(status, headers);
  res.flushHeaders();
  const reader = body.getReader();
  const stop = (): void => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once("close", stop);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) await waitDrain(res);
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off("close", stop);
  }
}

/**
 * Answered before the body ended (a 413): a short rest (up to `DRAIN_LIMIT_BYTES`) is read and
 * dropped so the keep-alive connection can carry the client's next request; past that, reading
 * stops, so the client's sends back up while it reads the answer (closing at once would reset
 * the connection under an answer it has not read yet), and a client still connected after the
 * grace period loses the connection.
 */
function stopReading(req: IncomingMessage): void {
  unwanted.add(req);
  req.removeAllListeners("data");
  let dropped = 0;
  const drop = (chunk: Buffer): void => {
    dropped += chunk.byteLength;
    if (dropped <= DRAIN_LIMIT_BYTES) return;
    req.off("data", drop);
    // Read once more (what is buffered, dropped) so node:http counts the body as consumed and
    // does not drain it either; the parser stops reading the socket once the buffer is full.
    req.pause();
    req.read();
  };
  req.on("data", drop);
  // A body stream the gateway cancelled left the request paused: flow again, into `drop`.
  req.resume();
  setTimeout(() => req.complete || req.socket.destroy(), UNREAD_BODY_GRACE_MS).unref();
}

/**
 * A lean node:http → fetch bridge: one Request per request with a signal that fires when the
 * client disconnects (a light one: see core/abort-watch.ts), and the Response written back with
 * backpressure.
 */
export function nodeHandler(handler: FetchHandler, onError: (error: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const client = new ClientSignal();
    res.once("close", () => {
      if (!res.writableFinished) client.abort();
    });
    let request: Request;
    try {
      request = toRequest(req, client);
    } catch (error) {
      res.writeHead(400, { "content-type": "application/json", "x-request-id": serverRequestId() });
      res.end(JSON.stringify({ error: { message: "Malformed request.", type: "invalid_request_error", code: "bad_request", param: null } }));
      return Promise.resolve();
    }
    const fail = (error: unknown): void => {
      onError(error);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json", "x-request-id": serverRequestId() });
        res.end(JSON.stringify({ error: { message: "Internal gateway error.", type: "api_error", code: "internal_error", param: null } }));
      } else {
        res.destroy();
      }
    };
    return handler(request).then((response) => {
      if (!req.complete) stopReading(req);
      try {
        const writing = writeResponse(response, res);
        if (writing !== undefined) return writing.catch(fail);
      } catch (error) {
        // A header node:http refuses (a plugin's value with a newline, say) throws here.
        fail(error);
      }
    }, fail);
  };
}
