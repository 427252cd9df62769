import type { IncomingMessage } from "node:http";
import { CLIENT_WATCH, type ClientSignal } from "../core/abort-watch.ts";
import { FRAMED_BODY } from "../core/body.ts";
import { lazyMaker, lazyPrototype } from "../core/lazy-prototype.ts";
import { lazyHeaders } from "./node-headers.ts";

/**
 * A web `Request` for a node:http request, built lazily. Constructing a real `Request` on Node
 * parses the URL, converts the init, makes a second AbortSignal that follows ours and wraps the
 * body in a web stream; the gateway needs only the method, URL, headers, signal and the body as
 * text. Those are served directly (`text()` collects the IncomingMessage's chunks, no stream);
 * anything else (`body`, `clone()`, `blob()`, `cache` …) builds the real Request once, from the
 * same parts as before, and every member delegates to it from then on.
 */

const STATE = Symbol("switchyard.nodeRequest");

interface LazyState {
  readonly req: IncomingMessage;
  readonly url: string;
  /** Aborts when the client leaves; its real AbortSignal is made only if `signal` is read. */
  readonly client: ClientSignal;
  readonly hasBody: boolean;
  /** The body stream for the real Request; made on demand. */
  readonly bodyStream: () => ReadableStream<Uint8Array>;
  /** Looked up by name straight from node:http's parse; a real Headers is built only when needed. */
  readonly headers: Headers;
  real: Request | null;
  /** True once `text()`, `arrayBuffer()` or `json()` read the body without a real Request. */
  read: boolean;
}

type Lazy = Request & { [STATE]: LazyState };

/** Paths made only of these need no URL normalisation (dot segments, escapes, spaces …). */
const PLAIN_PATH = /^\/[A-Za-z0-9_\-/]*$/;

export function requestUrl(rawUrl: string | undefined): string {
  const path = rawUrl ?? "/";
  // What `new Request()` would make of it, so routing sees the same path either way.
  return PLAIN_PATH.test(path) ? `http://localhost${path}` : new URL(`http://localhost${path}`).href;
}

function realRequest(state: LazyState): Request {
  if (state.real === null) {
    const init: RequestInit & { duplex?: "half" } = { method: state.req.method ?? "GET", headers: state.headers, signal: state.client.signal };
    if (state.hasBody && !state.read) {
      init.body = state.bodyStream();
      init.duplex = "half";
    }
    state.real = new Request(state.url, init);
  }
  return state.real;
}

function unusable(): TypeError {
  return new TypeError("Body is unusable: Body has already been read");
}

/** The whole body as one Buffer, straight from the IncomingMessage. */
function collect(state: LazyState): Promise<Buffer> {
  if (state.read) return Promise.reject(unusable());
  state.read = true;
  if (!state.hasBody) return Promise.resolve(Buffer.alloc(0));
  const req = state.req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.byteLength;
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new TypeError("Could not read the request body.", { cause: error }));
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(new TypeError("The client closed the connection before the body ended."));
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("close", onClose);
  });
}

const decoder = new TextDecoder();

/** A getter answered from the lazy state until a real Request exists, then by the real one. */
function liveMember<K extends "method" | "url" | "headers" | "signal">(name: K, own: (state: LazyState) => Request[K]): PropertyDescriptor {
  return {
    get(this: Lazy) {
      const state = this[STATE];
      return state.real !== null ? state.real[name] : own(state);
    },
  };
}

const fastMembers: PropertyDescriptorMap = {
  // node:http ends a body with a Content-Length at that length (see core/body.ts).
  [FRAMED_BODY]: { value: true },
  // The core listens on the light signal; `signal` below is for everyone else.
  [CLIENT_WATCH]: {
    get(this: Lazy) {
      return this[STATE].client;
    },
  },
  method: liveMember("method", (state) => state.req.method ?? "GET"),
  url: liveMember("url", (state) => state.url),
  headers: liveMember("headers", (state) => state.headers),
  signal: liveMember("signal", (state) => state.client.signal),
  bodyUsed: {
    get(this: Lazy) {
      const state = this[STATE];
      return state.read || (state.real !== null && state.real.bodyUsed);
    },
  },
  text: {
    value(this: Lazy) {
      const state = this[STATE];
      if (state.real !== null) return state.real.text();
      // Decoded as `Request.text()` does: UTF-8, a leading BOM dropped, bad bytes replaced.
      return collect(state).then((bytes) => decoder.decode(bytes));
    },
  },
  arrayBuffer: {
    value(this: Lazy) {
      const state = this[STATE];
      if (state.real !== null) return state.real.arrayBuffer();
      return collect(state).then((bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  },
  bytes: {
    value(this: Lazy) {
      const state = this[STATE];
      if (state.real !== null) return (state.real as Request & { bytes?: () => Promise<Uint8Array> }).bytes?.() ?? state.real.arrayBuffer().then((b) => new Uint8Array(b));
      // The collected Buffer itself: a Uint8Array, no copy.
      return collect(state).then((bytes) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  },
  json: {
    value(this: Lazy) {
      const state = this[STATE];
      if (state.real !== null) return state.real.json();
      return collect(state).then((bytes) => JSON.parse(decoder.decode(bytes)));
    },
  },
};

// Every other member of Request goes to the real one.
const requestPrototype = lazyPrototype(Request.prototype, fastMembers, (self: Lazy) => realRequest(self[STATE]));
const makeRequest = lazyMaker<Request>(requestPrototype, STATE);

/**
 * A `Request` (it passes `instanceof Request`) for `req`, aborting through `client`.
 * `bodyStream` makes the web stream of the body for when a real Request is needed.
 */
export function lazyRequest(req: IncomingMessage, client: ClientSignal, bodyStream: () => ReadableStream<Uint8Array>): Request {
  const method = req.method ?? "GET";
  const state: LazyState = {
    req,
    url: requestUrl(req.url),
    client,
    hasBody: method !== "GET" && method !== "HEAD",
    bodyStream,
    headers: lazyHeaders(req.headers),
    real: null,
    read: false,
  };
  return makeRequest(state);
}
