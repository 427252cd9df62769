import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { CounterStore } from "../../core/counter-store.ts";
import { budget, cache, cost, rateLimit, redisCacheStore } from "../../plugins/index.ts";
import { type RedisStore, redisStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { freePort, startRedis, stopRedis, until } from "../helpers/redis-server.ts";
import { chat } from "../helpers/upstream.ts";

/**
 * A Redis that hangs: it keeps its connections and answers nothing (DEBUG SLEEP on a connection
 * of its own, on a redis-server this file starts, never the shared one). Two rate limits, a
 * budget and the cache share one store. Before the breaker every request waited each plugin's
 * command timeout in turn; now the first requests wait one timeout (the plugins' calls go out
 * together), then the store stops being waited for until a background PING gets an answer.
 * Everything asserted is a count or an outcome.
 */

const servers: ChildProcess[] = [];
const gateways: TestGateway[] = [];
const stores: RedisStore[] = [];

afterAll(async () => {
  for (const gw of gateways) await gw.close({ timeoutMs: 1000 });
  for (const store of stores) await store.close();
  for (const child of servers) await stopRedis(child);
});

/** A store that counts its calls in flight, to see how many a request has out at once. */
function counted(store: RedisStore): { store: RedisStore; peak: () => number; resetPeak: () => void } {
  let inFlight = 0;
  let peak = 0;
  const track = <T>(call: () => Promise<T>): Promise<T> => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    return call().finally(() => inFlight--);
  };
  const wrapped: RedisStore = Object.assign(Object.create(store) as RedisStore, {
    consume: (...a: Parameters<CounterStore["consume"]>) => track(() => Promise.resolve(store.consume(...a))),
    get: (key: string) => track(() => Promise.resolve(store.get(key))),
    increment: (...a: Parameters<CounterStore["increment"]>) => track(() => Promise.resolve(store.increment(...a))),
    adjust: (...a: Parameters<CounterStore["adjust"]>) => track(() => Promise.resolve(store.adjust(...a))),
    command: <T>(op: Parameters<RedisStore["command"]>[0]) => track(() => store.command(op) as Promise<T>),
    available: () => store.available?.() ?? true,
    stats: () => store.stats(),
    close: () => store.close(),
  });
  return { store: wrapped, peak: () => peak, resetPeak: () => (peak = inFlight) };
}

async function hungGateway(port: number, failOpen: boolean) {
  const raw = redisStore({
    url: `redis://127.0.0.1:${port}`,
    prefix: `hang-${failOpen ? "open" : "closed"}:`,
    commandTimeoutMs: 200,
    connectTimeoutMs: 500,
    maxReconnectDelayMs: 100,
    breaker: { failures: 3, probeIntervalMs: 100 },
    logger: { warn: () => {} },
  });
  stores.push(raw);
  await raw.connect();
  const { store, peak, resetPeak } = counted(raw);
  const gw = await createTestGateway({
    plugins: [
      rateLimit({ per: "key", rpm: 100_000, store, failOpen }),
      rateLimit({ per: "model", rpm: 3, store, failOpen, name: "rpm-per-model" }),
      cost(),
      budget({ per: "key", usd: 1000, period: "day", store, failOpen }),
      cache({ ttl: 60, store: redisCacheStore({ store }) }),
    ],
  });
  gateways.push(gw);
  return { gw, raw, peak, resetPeak };
}

let sequence = 0;
const ask = async (gw: TestGateway, model = `mock/m-${sequence++}`) => {
  const res = await gw.post("/v1/chat/completions", { model, ...chat(`question ${sequence++}`) });
  const body = await res.json();
  return { status: res.status, code: res.status === 200 ? null : (body.error?.code as string) };
};

describe("Redis that hangs", () => {
  it("stops waiting for it after a few timeouts, follows each plugin's policy, and resumes when it answers", async () => {
    const port = await freePort();
    await startRedis(port, servers);
    const open = await hungGateway(port, true);
    const closed = await hungGateway(port, false);

    // Healthy: the four plugins' calls for one request are out at the same time, not one by one.
    for (const g of [open, closed]) {
      g.resetPeak();
      expect((await ask(g.gw)).status).toBe(200);
      expect(g.peak()).toBeGreaterThanOrEqual(4);
      expect(g.raw.stats()).toMatchObject({ failures: 0, breakerOpen: false });
    }

    // Hang the server: DEBUG SLEEP blocks it for 4 s, on an admin connection of its own.
    const admin = new Redis(`redis://127.0.0.1:${port}`);
    await admin.ping();
    let hung = true;
    const sleeping = admin.call("DEBUG", "SLEEP", "4").finally(() => (hung = false));
    const during: { open: Awaited<ReturnType<typeof ask>>[]; closed: Awaited<ReturnType<typeof ask>>[] } = { open: [], closed: [] };
    while (hung && during.open.length < 25) {
      during.open.push(await ask(open.gw));
      during.closed.push(await ask(closed.gw));
    }
    await sleeping;
    admin.disconnect();
    expect(during.open.length).toBeGreaterThanOrEqual(10);

    // Fail open: every request served. Fail closed: refused by policy, 503 limits_unavailable. No other answer.
    expect(during.open.filter((r) => r.status !== 200)).toEqual([]);
    expect(during.closed.every((r) => r.status === 503 && r.code === "limits_unavailable")).toBe(true);
    for (const g of [open, closed]) {
      const stats = g.raw.stats();
      // Only the first requests waited for the server: the rest failed at once.
      const waited = stats.failures - stats.shortCircuited;
      expect(waited).toBeLessThanOrEqual(10);
      expect(stats.shortCircuited).toBeGreaterThan(waited);
      // Nothing reported but the cache's one line for its store's outage.
      expect(g.gw.reported.filter((e) => !e.message.includes("cache store"))).toEqual([]);
      expect(g.gw.reported.length).toBeLessThanOrEqual(1);
    }

    // The server answers again: a background probe closes the breaker and limits hold again.
    await until(() => !open.raw.stats().breakerOpen && !closed.raw.stats().breakerOpen, "the breakers to close");
    for (const g of [open, closed]) {
      const model = `mock/limited-${g === open ? "open" : "closed"}`;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await ask(g.gw, model)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(g.raw.available?.()).toBe(true);
    }
  }, 30_000);

  it("a cache on a connection of its own also stops waiting, and answers misses meanwhile", async () => {
    const port = await freePort();
    await startRedis(port, servers);
    const cacheStore = redisCacheStore({ url: `redis://127.0.0.1:${port}`, prefix: "hang-cache:", commandTimeoutMs: 200, breaker: { failures: 2, probeIntervalMs: 100 } });
    const gw = await createTestGateway({ plugins: [cache({ ttl: 60, store: cacheStore, required: true })] });
    gateways.push(gw);
    expect((await ask(gw, "mock/m")).status).toBe(200);
    await until(() => cacheStore.available?.() === true, "the cache to connect");

    const admin = new Redis(`redis://127.0.0.1:${port}`);
    await admin.ping();
    let hung = true;
    const sleeping = admin.call("DEBUG", "SLEEP", "3").finally(() => (hung = false));
    const statuses: number[] = [];
    while (hung && statuses.length < 20) statuses.push((await ask(gw, "mock/m")).status);
    const unavailableDuring = cacheStore.available?.();
    await sleeping;
    admin.disconnect();
    expect(statuses.length).toBeGreaterThanOrEqual(5);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(unavailableDuring).toBe(false);
    await until(() => cacheStore.available?.() === true, "the cache breaker to close");
    expect((await gw.request("/ready")).status).toBe(200);
  }, 30_000);
});
