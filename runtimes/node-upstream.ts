import { Agent } from "undici";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "../core/upstream.ts";
import { UpstreamTimeout } from "../core/upstream-errors.ts";

export interface NodeUpstreamOptions {
  /** Most sockets per upstream origin. Default 256. */
  connections?: number;
  /** Keep idle sockets this long, in ms. Default 30 000. */
  keepAliveTimeoutMs?: number;
  /** Connect timeout for requests that set none (`timeouts.connectMs`), in ms. Default 10 000. */
  connectTimeoutMs?: number;
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
/** Connect limits come from config, so there are few; past this many, the default pool serves. */
const MAX_CONNECT_POOLS = 16;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Upstream calls through undici Agents: one keep-alive pool per origin with bounded sockets.
 * undici's `request` is several times cheaper than `fetch` on Node. undici sets the connect
 * timeout per Agent, so each distinct `connectTimeoutMs` gets its own Agent (made on first use).
 */
export function nodeUpstream(options: NodeUpstreamOptions = {}): UpstreamClient {
  const defaultConnectMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const makeAgent = (connectMs: number): Agent =>
    new Agent({
      connections: options.connections ?? 256,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connect: { timeout: connectMs },
    });
  const agents = new Map<number, Agent>([[defaultConnectMs, makeAgent(defaultConnectMs)]]);
  /** The connect limit a request gets: its own, unless the pool count is at its cap. */
  const connectMsFor = (requested: number | undefined): number => {
    const ms = requested ?? defaultConnectMs;
    return agents.has(ms) || agents.size < MAX_CONNECT_POOLS ? ms : defaultConnectMs;
  };
  const agentFor = (ms: number): Agent => {
    let agent = agents.get(ms);
    if (agent === undefined) {
      agent = makeAgent(ms);
      agents.set(ms, agent);
    }
    return agent;
  };
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
      const connectMs = connectMsFor(req.connectTimeoutMs);
      const agent = agentFor(connectMs);
      try {
        const result = await agent.request({ origin, path, method: req.method, headers: req.headers, body: req.body, signal: req.watch ?? req.signal });
        return new UndiciResponse(result);
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === "UND_ERR_CONNECT_TIMEOUT") {
          throw new UpstreamTimeout("connect", connectMs);
        }
        throw error;
      }
    },
    close: async () => {
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}
