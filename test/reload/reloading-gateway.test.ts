import { afterAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../core/config.ts";
import { reloadingGateway, type ReloadingGateway } from "../../core/reloading.ts";
import { auth, budget, circuitBreaker, cost, fallback, log, metrics, rateLimit, route } from "../../plugins/index.ts";
import { mock, openai } from "../../providers/index.ts";
import { memoryStore } from "../../stores/index.ts";
import { memorySink } from "../logging/memory-sink.ts";
import { chat, type RunningUpstream, startUpstream } from "../helpers/upstream.ts";

const KEY = { id: "app", key: "sk-app-0123456789" };
const bearer = { authorization: `Bearer ${KEY.key}`, "content-type": "application/json" };

const post = (gateway: ReloadingGateway, body: unknown, headers: Record<string, string> = bearer): Promise<Response> =>
  gateway.request("/v1/chat/completions", { method: "POST", headers, body: JSON.stringify(body) });

/** A reloading gateway whose config is whatever `next` holds when it (re)loads. */
async function reloadable(first: () => GatewayConfig): Promise<{ gateway: ReloadingGateway; next: { config: () => GatewayConfig } }> {
  const next = { config: first };
  const gateway = await reloadingGateway({ source: "test", load: async () => next.config() });
  gateways.push(gateway);
  return { gateway, next };
}

const gateways: ReloadingGateway[] = [];
const upstreams: RunningUpstream[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.close({ timeoutMs: 1000 });
  for (const upstream of upstreams) await upstream.close();
});

describe("reloadingGateway", () => {
  it("swaps in a new config: new requests see it, a stream in flight finishes on the old one", async () => {
    const config = (alias: string): GatewayConfig => ({
      providers: { mock: mock({ chunkDelayMs: 30 }) },
      plugins: [route({ models: { [alias]: [{ provider: "mock", model: "mock" }] } })],
    });
    const { gateway, next } = await reloadable(() => config("first"));
    const stream = await post(gateway, { model: "first", stream: true, ...chat("one two three four five six") }, { "content-type": "application/json" });
    expect(stream.status).toBe(200);
    next.config = () => config("second");
    const result = await gateway.reload();
    expect(result).toMatchObject({ ok: true, version: 2 });
    // The stream began on the first config and ends there, whole.
    const text = await stream.text();
    expect(text).toContain("[DONE]");
    expect((await post(gateway, { model: "second", ...chat("hi") }, { "content-type": "application/json" })).status).toBe(200);
    expect((await post(gateway, { model: "first", ...chat("hi") }, { "content-type": "application/json" })).status).toBe(404);
    expect(gateway.status()).toMatchObject({ version: 2, reloads: 1, failedReloads: 0, source: "test", lastReload: { ok: true, version: 2 } });
  });

  it("keeps the old config serving when the new one fails, and says why", async () => {
    const good = (): GatewayConfig => ({ providers: { mock: mock() }, plugins: [route({ models: { fast: [{ provider: "mock", model: "mock" }] } })] });
    const { gateway, next } = await reloadable(good);
    next.config = () => ({ providers: { mock: mock() }, plugins: [route({ models: { fast: [{ provider: "nope", model: "m" }] } })] });
    const failed = await gateway.reload();
    expect(failed.ok).toBe(false);
    expect(failed.version).toBe(1);
    expect(failed.error).toContain('"nope" is not a configured provider');
    next.config = () => {
      throw new Error("config script threw");
    };
    expect((await gateway.reload()).error).toBe("config script threw");
    expect((await post(gateway, { model: "fast", ...chat("hi") }, { "content-type": "application/json" })).status).toBe(200);
    expect(gateway.status()).toMatchObject({ version: 1, reloads: 0, failedReloads: 2, lastReload: { ok: false } });
  });

  it("runs reloads one at a time; calls made during one share the next", async () => {
    let loads = 0;
    const { gateway, next } = await reloadable(() => ({ providers: { mock: mock() } }));
    next.config = () => {
      loads++;
      return { providers: { mock: mock() } };
    };
    const results = await Promise.all([gateway.reload(), gateway.reload(), gateway.reload(), gateway.reload()]);
    expect(loads).toBe(2);
    expect(results.map((r) => r.version)).toEqual([2, 3, 3, 3]);
  });

  it("answers every request while reloading under load", async () => {
    const config = (weight: number): GatewayConfig => ({
      providers: { a: mock({ latencyMs: 2 }), b: mock({ latencyMs: 2 }) },
      plugins: [auth({ keys: [KEY] }), route({ models: { fast: [{ provider: "a", model: "m", weight }, { provider: "b", model: "m", weight: 1 - weight }] } })],
    });
    const { gateway, next } = await reloadable(() => config(1));
    let stop = false;
    const statuses: number[] = [];
    const client = async (): Promise<void> => {
      while (!stop) {
        const res = await post(gateway, { model: "fast", ...chat("hi") });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    };
    const clients = Array.from({ length: 8 }, client);
    for (let i = 0; i < 10; i++) {
      next.config = () => config(i % 2);
      expect((await gateway.reload()).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 20));
    }
    stop = true;
    await Promise.all(clients);
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The last config (i = 9: all weight on a) serves; the one before it put all weight on b.
    const res = await post(gateway, { model: "fast", ...chat("hi") });
    expect(res.headers.get("x-switchyard-provider")).toBe("a");
  });
});

describe("state that survives a reload", () => {
  it("rate limits in memory stores keep counting, shared stores included", async () => {
    const config = (): GatewayConfig => {
      const store = memoryStore();
      return {
        providers: { mock: mock() },
        plugins: [auth({ keys: [KEY] }), rateLimit({ per: "key", rpm: 3, store }), rateLimit({ per: "global", rpm: 100, store })],
      };
    };
    const { gateway, next } = await reloadable(config);
    const ask = { model: "mock/mock", ...chat("hi") };
    expect((await post(gateway, ask)).status).toBe(200);
    expect((await post(gateway, ask)).status).toBe(200);
    next.config = config;
    expect((await gateway.reload()).ok).toBe(true);
    const third = await post(gateway, ask);
    expect(third.status).toBe(200);
    expect(third.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect((await post(gateway, ask)).status).toBe(429);
  });

  it("budgets in memory stores keep their spend", async () => {
    const config = (): GatewayConfig => ({
      providers: { mock: mock() },
      plugins: [auth({ keys: [KEY] }), cost({ prices: { "mock/mock": { input: 1_000_000, output: 1_000_000 } } }), budget({ per: "key", usd: 1, period: "day" })],
    });
    const { gateway, next } = await reloadable(config);
    const ask = { model: "mock/mock", ...chat("hi") };
    expect((await post(gateway, ask)).status).toBe(200);
    await gateway.drain(1000);
    next.config = config;
    expect((await gateway.reload()).ok).toBe(true);
    const refused = await post(gateway, ask);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe("insufficient_quota");
  });

  it("an open circuit stays open, and metrics counters keep counting", async () => {
    const up = await startUpstream();
    upstreams.push(up);
    const config = (): GatewayConfig => ({
      providers: { up: openai({ baseURL: up.baseURL, apiKey: "sk-upstream" }), backup: mock() },
      plugins: [
        route({ models: { fast: [{ provider: "up", model: "m" }, { provider: "backup", model: "m" }] } }),
        fallback({ retries: 0 }),
        circuitBreaker({ failures: 2, cooldownMs: 60_000 }),
        metrics(),
      ],
    });
    const { gateway, next } = await reloadable(config);
    up.upstream.fail({ status: 500 }, { status: 500 });
    for (let i = 0; i < 2; i++) expect((await post(gateway, { model: "fast", ...chat("hi") }, { "content-type": "application/json" })).headers.get("x-switchyard-provider")).toBe("backup");
    await gateway.drain(1000);
    const before = await (await gateway.request("/metrics")).text();
    expect(before).toMatch(/switchyard_requests_total\{route="fast",provider="backup",model="m",status="200",fault="none"\} 2/);
    next.config = config;
    expect((await gateway.reload()).ok).toBe(true);
    const breaker = gateway.plugins.find((p) => p.name === "circuit-breaker") as ReturnType<typeof circuitBreaker>;
    expect(breaker.state("up", "m")).toBe("open");
    const calls = up.upstream.calls.length;
    const res = await post(gateway, { model: "fast", ...chat("hi") }, { "content-type": "application/json" });
    expect(res.headers.get("x-switchyard-provider")).toBe("backup");
    expect(up.upstream.calls.length).toBe(calls);
    await gateway.drain(1000);
    const after = await (await gateway.request("/metrics")).text();
    expect(after).toMatch(/switchyard_requests_total\{route="fast",provider="backup",model="m",status="200",fault="none"\} 3/);
    expect(after).toContain("switchyard_config_version 2");
    expect(after).toContain('switchyard_config_reloads_total{result="ok"} 1');
  });

  it("loses no log record: the old gateway's unwritten records go to the new one's queue", async () => {
    const sink = memorySink("memory");
    sink.failing = true;
    const config = (): GatewayConfig => ({
      providers: { mock: mock() },
      plugins: [log({ sinks: [sink], queue: { flushIntervalMs: 20, retries: 20, backoff: { baseMs: 25, maxMs: 25 } } })],
    });
    const { gateway, next } = await reloadable(config);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(gateway, { model: "mock/mock", ...chat(`before ${i}`) }, { "content-type": "application/json" })).headers.get("x-request-id")!);
    await new Promise((r) => setTimeout(r, 100));
    // The sink is down: the first queue holds its records, retrying.
    next.config = config;
    expect((await gateway.reload()).ok).toBe(true);
    for (let i = 0; i < 3; i++) ids.push((await post(gateway, { model: "mock/mock", ...chat(`after ${i}`) }, { "content-type": "application/json" })).headers.get("x-request-id")!);
    // Let the old gateway retire (it has nothing in flight), then bring the sink back.
    await new Promise((r) => setTimeout(r, 200));
    sink.failing = false;
    const plugin = gateway.plugins.find((p) => p.name === "log") as ReturnType<typeof log>;
    await plugin.flush();
    expect(sink.records.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(plugin.logStats()).toMatchObject({ written: 8, queued: 0, dropped: 0 });
  });
});
