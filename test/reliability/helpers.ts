import { definePlugin, type GatewayConfig, type Plugin, type RequestContext } from "../../core/index.ts";
import { openai } from "../../providers/openai.ts";
import type { Timeouts } from "../../core/types.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, type MockUpstream, type TestGateway } from "../../testing/index.ts";

export interface Upstreams {
  gateway: TestGateway;
  /** One mock upstream per provider name, each reached in-process at http://<name>.test/v1. */
  up: Record<string, MockUpstream>;
  /** Contexts of completed requests, in completion order. */
  seen: RequestContext[];
}

/** A gateway whose providers are in-process OpenAI-format mock upstreams (no sockets). */
export async function gatewayWithUpstreams(
  names: string[],
  plugins: Plugin[],
  options: { timeouts?: Record<string, Timeouts>; limits?: GatewayConfig["limits"]; chunkDelayMs?: number } = {},
): Promise<Upstreams> {
  const up: Record<string, MockUpstream> = {};
  const providers: GatewayConfig["providers"] = {};
  for (const name of names) {
    up[name] = mockUpstream({ chunkDelayMs: options.chunkDelayMs });
    providers[name] = openai({ baseURL: `http://${name}.test/v1`, apiKey: `sk-${name}`, timeouts: options.timeouts?.[name] });
  }
  const seen: RequestContext[] = [];
  const recorder = definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) });
  const gateway = await createTestGateway({
    providers,
    plugins: [...plugins, recorder],
    limits: options.limits,
    upstream: inProcessUpstream((request) => up[new URL(request.url).hostname.replace(/\.test$/, "")].fetch(request)),
  });
  return { gateway, up, seen };
}

export const chat = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hello" }], ...extra });

/** A small seeded PRNG (mulberry32), so random strategies are tested deterministically. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wait until the gateway has run onComplete for everything in flight. */
export async function settled(gateway: TestGateway): Promise<void> {
  if (!(await gateway.drain(2000))) throw new Error("gateway did not drain");
}
