import { lazyMaker, lazyPrototype } from "./lazy-prototype.ts";

/**
 * What the client was sent: one record per request, which the log, the cache and the runtime
 * bridges all read. The pipeline is its only writer.
 */
export class ResponseRecord {
  /** A whole answer's text as sent (JSON and error bodies); null for streams. */
  text: string | null = null;
  /** Bytes of a streamed answer sent so far; -1 for whole answers (their size is `text`'s). */
  streamedBytes = -1;
}

/**
 * The answers the gateway builds are `Response`s (they pass `instanceof Response`, and every member
 * works), built lazily: until something asks for more than the status, the text or a header
 * write, they are a status, a plain header object and the record's text or stream. A runtime
 * bridge writes those straight out; a real `Response` (and its `Headers`) is made only for the
 * plugin or caller that reaches for one. On Node, constructing them costs more than the rest of a
 * small answer's path.
 */
const STATE: unique symbol = Symbol("switchyard.builtResponse");

interface BuiltState {
  readonly record: ResponseRecord;
  readonly status: number;
  /** The header fields, lowercase, while no `Headers` object exists; null once one does. */
  fields: Record<string, string> | null;
  headers: Headers | null;
  readonly stream: ReadableStream<Uint8Array> | null;
  real: Response | null;
  /** Whether the text was handed out (`text()` / `json()` / a bridge) without a real Response. */
  used: boolean;
}

type Built = Response & { [STATE]: BuiltState };

function headersOf(state: BuiltState): Headers {
  if (state.real !== null) return state.real.headers;
  if (state.headers === null) {
    state.headers = new Headers(state.fields!);
    state.fields = null;
  }
  return state.headers;
}

/** Statuses whose responses have no body at all (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function realOf(state: BuiltState): Response {
  if (state.real === null) {
    const body = state.stream ?? (state.used || NULL_BODY.has(state.status) ? null : state.record.text);
    const real = new Response(body, { status: state.status, headers: headersOf(state) });
    if (state.used) void real.text().catch(() => {});
    state.real = real;
    state.headers = null;
  }
  return state.real;
}

function unusable(): TypeError {
  return new TypeError("Body is unusable: Body has already been read");
}

function ownText(state: BuiltState): Promise<string> | null {
  if (state.real !== null || state.stream !== null) return null;
  if (state.used) return Promise.reject(unusable());
  state.used = true;
  return Promise.resolve(state.record.text ?? "");
}

const own: PropertyDescriptorMap = {
  [STATE]: { value: undefined, writable: true },
  status: {
    get(this: Built) {
      const state = this[STATE];
      return state.real !== null ? state.real.status : state.status;
    },
  },
  ok: {
    get(this: Built) {
      const status = this.status;
      return status >= 200 && status < 300;
    },
  },
  statusText: { get: () => "" },
  type: { get: () => "default" },
  url: { get: () => "" },
  redirected: { get: () => false },
  headers: {
    get(this: Built) {
      return headersOf(this[STATE]);
    },
  },
  bodyUsed: {
    get(this: Built) {
      const state = this[STATE];
      return state.real !== null ? state.real.bodyUsed : state.used;
    },
  },
  body: {
    get(this: Built) {
      return realOf(this[STATE]).body;
    },
  },
  text: {
    value(this: Built) {
      return ownText(this[STATE]) ?? realOf(this[STATE]).text();
    },
  },
  json: {
    value(this: Built) {
      const text = ownText(this[STATE]);
      return text === null ? realOf(this[STATE]).json() : text.then(JSON.parse);
    },
  },
  arrayBuffer: {
    value(this: Built) {
      const text = ownText(this[STATE]);
      return text === null ? realOf(this[STATE]).arrayBuffer() : text.then((t) => new TextEncoder().encode(t).buffer);
    },
  },
};

// Every other member of Response goes to a real one, made once.
const builtPrototype = lazyPrototype(Response.prototype, own, (self: Built) => realOf(self[STATE]));
const makeBuilt = lazyMaker<Response>(builtPrototype, STATE);

function built(record: ResponseRecord, status: number, fields: Record<string, string>, stream: ReadableStream<Uint8Array> | null): Response {
  return makeBuilt({ record, status, fields, headers: null, stream, real: null, used: false } satisfies BuiltState);
}

/** A Response whose body is `record.text`. `headers` is taken over, not copied (lowercase names). */
export function textResponse(record: ResponseRecord, status: number, headers: Record<string, string>): Response {
  return built(record, status, headers, null);
}

/** A streamed Response the record describes. `headers` is taken over, not copied. */
export function streamResponse(record: ResponseRecord, status: number, headers: Record<string, string>, body: ReadableStream<Uint8Array>): Response {
  return built(record, status, headers, body);
}

/** Plain header fields from any Response's headers (for taking over one the gateway did not build). */
export function fieldsOf(headers: Headers): Record<string, string> {
  const fields: Record<string, string> = {};
  headers.forEach((value, name) => {
    fields[name] = value;
  });
  return fields;
}

/** Set a header on a response the gateway built without making its Headers; on any other, through them. */
export function setHeader(response: Response, name: string, value: string): void {
  const state = (response as Partial<Built>)[STATE];
  if (state !== undefined && state.fields !== null) state.fields[name] = value;
  else response.headers.set(name, value);
}

/** What a bridge writes for a response the gateway built and nothing has unpacked: status, fields, and text or stream. */
export interface BuiltParts {
  readonly status: number;
  readonly fields: Readonly<Record<string, string>>;
  readonly text: string | null;
  readonly stream: ReadableStream<Uint8Array> | null;
}

/** The parts of a built response, once (it counts as read); null for any other Response. */
export function takeParts(response: Response): BuiltParts | null {
  const state = (response as Partial<Built>)[STATE];
  if (state === undefined || state.fields === null || state.real !== null || state.used) return null;
  state.used = true;
  return { status: state.status, fields: state.fields, text: state.stream === null ? state.record.text : null, stream: state.stream };
}

/** Network-error Responses (`Response.error()`) a request answered with: nothing to build them from. */
const adopted = new WeakMap<Response, ResponseRecord>();

export function markAdopted(response: Response, record: ResponseRecord): void {
  adopted.set(response, record);
}

/** Whether `response` is the one the gateway built from (or adopted into) `record`. */
export function isBuiltFrom(response: Response, record: ResponseRecord): boolean {
  return ((response as Partial<Built>)[STATE]?.record ?? adopted.get(response)) === record;
}

/** Take a Response the gateway did not build into `record`, as a built one (its body and headers kept). */
export function adoptedResponse(record: ResponseRecord, response: Response, stream: ReadableStream<Uint8Array> | null): Response {
  return built(record, response.status, fieldsOf(response.headers), stream);
}
