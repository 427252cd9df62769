import type { AbortWatch } from "./abort-watch.ts";

/**
 * How bytes reach a provider. The core only needs this small shape, so each runtime can supply
 * its fastest client (an undici pool on Node, `fetch` elsewhere) without the core knowing.
 */
export interface UpstreamRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body: string | null;
  signal: AbortSignal;
  /**
   * The same abort as `signal`, as a light listener target. A client that can listen on any
   * `addEventListener` object (undici) should take this instead, so no AbortSignal is made.
   */
  watch?: AbortWatch;
  /**
   * Give up connecting after this many ms and throw `UpstreamTimeout("connect", ms)`. Clients
   * that cannot see the connect phase (web `fetch`) ignore it; the first-byte limit still holds.
   */
  connectTimeoutMs?: number;
}

export interface UpstreamResponse {
  readonly status: number;
  header(name: string): string | null;
  /** Read the whole body as text. */
  text(): Promise<string>;
  /** The body as it arrives, chunk by chunk. Call at most once, instead of `text()`. */
  chunks(): AsyncIterable<Uint8Array>;
  /** Release the body unread (an error we do not need, or a response we abandon). */
  discard(): void;
}

/** What a provider call hands its upstream request: how it aborts, and its connect limit. */
type CallLimits = { readonly signal: AbortSignal; readonly watch?: AbortWatch; readonly connectTimeoutMs: number | undefined };

/**
 * A POST for one provider call: the call's light abort watch passed on, its real AbortSignal made
 * only if the upstream client reads `signal`. A class, not an object literal with a getter: V8
 * builds such a literal through the runtime, about half a microsecond each.
 */
class CallRequest implements UpstreamRequest {
  readonly method = "POST";
  readonly watch: AbortWatch | undefined;
  readonly connectTimeoutMs: number | undefined;
  constructor(private readonly call: CallLimits, readonly url: string, readonly headers: Record<string, string>, readonly body: string) {
    this.watch = call.watch;
    this.connectTimeoutMs = call.connectTimeoutMs;
  }
  get signal(): AbortSignal {
    return this.call.signal;
  }
}

export function upstreamRequest(call: CallLimits, url: string, headers: Record<string, string>, body: string): UpstreamRequest {
  return new CallRequest(call, url, headers, body);
}

export interface UpstreamClient {
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  close?(): Promise<void>;
}

class FetchResponse implements UpstreamResponse {
  constructor(private readonly response: Response) {}
  get status(): number {
    return this.response.status;
  }
  header(name: string): string | null {
    return this.response.headers.get(name);
  }
  text(): Promise<string> {
    return this.response.text();
  }
  chunks(): AsyncIterable<Uint8Array> {
    const body = this.response.body;
    if (body === null) return emptyChunks();
    return body as unknown as AsyncIterable<Uint8Array>;
  }
  discard(): void {
    this.response.body?.cancel().catch(() => {});
  }
}

async function* emptyChunks(): AsyncIterable<Uint8Array> {}

/** The web-standard client: works on every runtime; the default when a runtime supplies none. */
export function fetchUpstream(fetchImpl: typeof fetch = fetch): UpstreamClient {
  return {
    async request(req) {
      const response = await fetchImpl(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
      });
      return new FetchResponse(response);
    },
  };
}
