import type { ChildProcess } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { rateLimit } from "../../plugins/index.ts";
import { type RedisStore, redisStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { freePort, startRedis as startServer, stopRedis, until } from "../helpers/redis-server.ts";
import { chat } from "../helpers/upstream.ts";

/**
 * Redis stopped under load. The shared Redis other test runs use is never touched: this file
 * starts its own redis-server on a free port, kills it mid-load and starts it again.
 */

const servers: ChildProcess[] = [];
const startRedis = (port: number) => startServer(port, servers);

interface Instance {
  gw: TestGateway;
  store: RedisStore;
  logs: string[];
}

const gateways: TestGateway[] = [];

afterAll(async () => {
  for (const gw of gateways) await gw.close({ timeoutMs: 1000 });
  for (const child of servers) await stopRedis(child);
});

async function instance(port: number, failOpen: boolean): Promise<Instance> {
  const logs: string[] = [];
  const store = redisStore({
    url: `redis://127.0.0.1:${port}`,
    // Each instance counts apart, so one's use of the per-model limit does not spend the other's.
    prefix: `outage-${failOpen ? "open" : "closed"}:`,
    commandTimeoutMs: 200,
    connectTimeoutMs: 500,
    maxReconnectDelayMs: 100,
    logger: { warn: (message: string) => logs.push(message) },
  });
  const gw = await createTestGateway({
    plugins: [
      rateLimit({ per: "global", rpm: 100_000, tpm: 10_000_000, concurrent: 1000, store, failOpen }),
      rateLimit({ per: "model", rpm: 3, store, failOpen, name: "rpm-per-model" }),
    ],
  });
  gateways.push(gw);
  return { gw, store, logs };
}

let sequence = 0;
/** Requests from a few concurrent clients until `stop` says so; each model id is fresh so only the global limits apply. */
async function load(gw: TestGateway, stop: () => boolean): Promise<{ status: number; code: string | null; ms: number }[]> {
  const results: { status: number; code: string | null; ms: number }[] = [];
  const worker = async () => {
    while (!stop()) {
      const started = Date.now();
      const res = await gw.post("/v1/chat/completions", { model: `mock/load-${sequence++}`, ...chat("hello") });
      const body = await res.json();
      results.push({ status: res.status, code: res.status === 200 ? null : body.error?.code ?? null, ms: Date.now() - started });
      // Real clients arrive through I/O; without this, requests failing fast would starve the timers.
      await new Promise((r) => setImmediate(r));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return results;
}

async function limitedModelStatuses(gw: TestGateway): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await gw.post("/v1/chat/completions", { model: "mock/limited", ...chat("hi") })).status);
  return statuses;
}

describe("Redis stopped during load", () => {
  it("follows the configured policy with no 500, logs the outage once, and recovers", async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const open = await instance(port, true);
    const closed = await instance(port, false);

    // Healthy: everything passes and is counted in Redis.
    let stopAt = Date.now() + 300;
    const healthy = await Promise.all([load(open.gw, () => Date.now() > stopAt), load(closed.gw, () => Date.now() > stopAt)]);
    for (const results of healthy) {
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((r) => r.status === 200)).toBe(true);
    }

    // Kill Redis in the middle of the load, and keep the load going for a while after.
    let killedAt = 0;
    stopAt = Number.POSITIVE_INFINITY;
    const during = Promise.all([load(open.gw, () => Date.now() > stopAt), load(closed.gw, () => Date.now() > stopAt)]);
    await new Promise((r) => setTimeout(r, 150));
    await stopRedis(redis);
    killedAt = Date.now();
    stopAt = killedAt + 1000;
    const [openResults, closedResults] = await during;

    // Fail open: every request was served.
    expect(openResults.length).toBeGreaterThan(10);
    expect(openResults.filter((r) => r.status !== 200)).toEqual([]);
    // Fail closed: served before the outage, 503 limits_unavailable during it; never a 500.
    const refused = closedResults.filter((r) => r.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.status === 503 && r.code === "limits_unavailable")).toBe(true);
    // Nothing hangs: each request ended far inside the test's own timeout.
    for (const r of [...openResults, ...closedResults]) expect(r.ms).toBeLessThan(5000);
    expect(open.gw.reported).toEqual([]);
    expect(closed.gw.reported).toEqual([]);

    // One log line and one counted outage per store, however many requests failed.
    for (const { store, logs } of [open, closed]) {
      expect(logs.filter((l) => l.includes("is unreachable"))).toHaveLength(1);
      expect(logs[0]).toContain(`127.0.0.1:${port}`);
      expect(store.stats()).toMatchObject({ connected: false, outages: 1 });
      expect(store.stats().failures).toBeGreaterThan(0);
    }
    const limiter = open.gw.plugins.find((p) => p.name === "rate-limit:global") as ReturnType<typeof rateLimit>;
    expect(limiter.stats().failedOpen).toBeGreaterThan(0);

    // Redis comes back: the clients reconnect by themselves and limits hold again.
    redis = await startRedis(port);
    await until(() => open.store.stats().connected && closed.store.stats().connected, "the stores to reconnect");
    for (const { gw, logs } of [open, closed]) {
      expect(logs.filter((l) => l.includes("reachable again"))).toHaveLength(1);
      expect(await limitedModelStatuses(gw)).toEqual([200, 200, 200, 429]);
    }
    expect(open.store.stats().outages).toBe(1);
  });

  it("answers by policy when Redis is down from the start, and connects when it comes up", async () => {
    const port = await freePort(); // nothing listens there
    const open = await instance(port, true);
    const closed = await instance(port, false);
    for (let i = 0; i < 3; i++) {
      expect((await open.gw.post("/v1/chat/completions", { model: "mock/m", ...chat("hi") })).status).toBe(200);
      const res = await closed.gw.post("/v1/chat/completions", { model: "mock/m", ...chat("hi") });
      expect(res.status).toBe(503);
      expect((await res.json()).error.code).toBe("limits_unavailable");
    }
    expect(open.logs.filter((l) => l.includes("is unreachable"))).toHaveLength(1);
    expect(closed.logs.filter((l) => l.includes("is unreachable"))).toHaveLength(1);

    // Redis starts late: the clients keep trying and find it.
    await startRedis(port);
    await until(() => open.store.stats().connected && closed.store.stats().connected, "the stores to connect");
    expect(await limitedModelStatuses(open.gw)).toEqual([200, 200, 200, 429]);
    expect(await limitedModelStatuses(closed.gw)).toEqual([200, 200, 200, 429]);
  });

  it("does not hang on a server that accepts connections and never answers", async () => {
    const sockets = new Set<Socket>();
    const blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const port = (blackHole.address() as { port: number }).port;
    try {
      const open = await instance(port, true);
      const closed = await instance(port, false);
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        expect((await open.gw.post("/v1/chat/completions", { model: "mock/m", ...chat("hi") })).status).toBe(200);
        const res = await closed.gw.post("/v1/chat/completions", { model: "mock/m", ...chat("hi") });
        expect(res.status).toBe(503);
        // Bounded by the connect and command timeouts (500 ms and 200 ms here), far from a hang.
        expect(Date.now() - started).toBeLessThan(5000);
      }
      expect(open.logs.filter((l) => l.includes("is unreachable"))).toHaveLength(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });

  it("re-sends its scripts when the server forgot them (NOSCRIPT after SCRIPT FLUSH)", async () => {
    const port = await freePort();
    await startRedis(port);
    const { gw, store } = await instance(port, false);
    const statuses = async () => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push((await gw.post("/v1/chat/completions", { model: "mock/flush", ...chat("hi") })).status);
      return out;
    };
    expect(await statuses()).toEqual([200, 200, 200, 429]);
    const admin = new Redis(`redis://127.0.0.1:${port}`);
    await admin.script("FLUSH");
    await admin.config("RESETSTAT");
    // Still enforced after the flush: the same per-model bucket stays exhausted.
    expect((await gw.post("/v1/chat/completions", { model: "mock/flush", ...chat("hi") })).status).toBe(429);
    expect(store.stats().failures).toBe(0);
    // The server answered NOSCRIPT to the script's hash, and the client sent the script again.
    const stats = await admin.info("commandstats");
    admin.disconnect();
    expect(Number(/cmdstat_evalsha:.*failed_calls=(\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
    expect(Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0)).toBeGreaterThan(0);
  });
});
