import { Agent } from "undici";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "../core/upstream.ts";

export interface NodeUpstreamOptions {
  /** Most sockets per upstream origin. Default 256. */
  connections?: number;
  /** Keep idle sockets this long, in ms. Default 30 000. */
  keepAliveTimeoutMs?: number;
}

type UndiciResult = Awaited<ReturnType<Agent["request"]>>;

class UndiciResponse implements UpstreamResponse {
  constructor(private readonly result: UndiciResult) {}
  get status(): number {
    return this.result.statusCode;
  }
  header(name: string): string | null {
    const value = this.result.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
  text(): Promise<string> {
    return this.result.body.text();
  }
  chunks(): AsyncIterable<Uint8Array> {
    return this.result.body;
  }
  discard(): void {
    this.result.body.destroy();
  }
}

interface Split {
  origin: string;
  path: string;
}

const MAX_SPLITS = 1024;

/**
 * Upstream calls through an undici Agent: one keep-alive pool per origin with bounded sockets.
 * undici's `request` is several times cheaper than `fetch` on Node.
 */
export function nodeUpstream(options: NodeUpstreamOptions = {}): UpstreamClient {
  const agent = new Agent({
    connections: options.connections ?? 256,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
  });
  // Provider URLs come from config, so the set is small; cache their parse.
  const splits = new Map<string, Split>();
  const split = (url: string): Split => {
    let parts = splits.get(url);
    if (parts === undefined) {
      const parsed = new URL(url);
      parts = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      if (splits.size >= MAX_SPLITS) splits.clear();
      splits.set(url, parts);
    }
    return parts;
  };
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      const { origin, path } = split(req.url);
      const result = await agent.request({ origin, path, method: req.method, headers: req.headers, body: req.body, signal: req.signal });
      return new UndiciResponse(result);
    },
    close: () => agent.close(),
  };
}
