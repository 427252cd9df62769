import { afterAll, describe, expect, it } from "vitest";
import { admin, auth, dashboard, log, type LogPlugin, route } from "../../plugins/index.ts";
import { postgresSink } from "../../sinks/index.ts";
import { memoryKeyStore } from "../../stores/index.ts";
import { createTestGateway, sampleLogRecord, type TestGateway } from "../../testing/index.ts";
import { DATABASE_URL, dropTables, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/load.ts";

const ADMIN = "sk-admin-0123456789abcdef";
const KEYS = [{ id: "alpha", key: "sk-alpha-0123456789abcdef", team: "a" }, { id: "beta", key: "sk-beta-0123456789abcdef", team: "b" }];
const tables: string[] = [];
const gateways: TestGateway[] = [];

afterAll(async () => {
  for (const gateway of gateways) await gateway.close({ timeoutMs: 1000 });
  await dropTables(tables);
});

describe("dashboard: requests older than the ring, from the Postgres log sink", () => {
  it("searches the stored log and opens a request the ring no longer holds", async () => {
    const table = uniqueTable("dashboard");
    tables.push(table);
    const store = memoryKeyStore();
    const logging = log({ sinks: [postgresSink({ url: DATABASE_URL, table })], queue: { flushIntervalMs: 50 } }) as LogPlugin;
    const gw = await createTestGateway({
      plugins: [auth({ keys: KEYS, store }), admin({ keys: [{ id: "ops", key: ADMIN }], store }), route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), logging, dashboard({ maxRequests: 1 })],
    });
    gateways.push(gw);
    const login = await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: ADMIN }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0];
    for (const [i, key] of [KEYS[0], KEYS[1], KEYS[0]].entries()) {
      const response = await gw.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${key.key}`, "x-request-id": `req-pg-${i}` });
      await response.text();
    }
    await until(async () => (await logging.flush(), (await logging.api.log.stats()).written >= 3), "3 records written");

    const memory = await (await gw.request("/ui/api/requests", { headers: { cookie } })).json();
    expect(memory).toMatchObject({ source: "memory", store: "postgres" });
    expect(memory.data.map((r: { id: string }) => r.id)).toEqual(["req-pg-2"]);
    const stored = await (await gw.request("/ui/api/requests?source=store&key=alpha", { headers: { cookie } })).json();
    expect(stored, JSON.stringify(stored)).toMatchObject({ source: "store" });
    expect(stored.data.map((r: { id: string }) => r.id)).toEqual(["req-pg-2", "req-pg-0"]);
    const failed = await (await gw.request("/ui/api/requests?source=store&status=5xx", { headers: { cookie } })).json();
    expect(failed.data).toEqual([]);
    const teamB = await (await gw.request("/ui/api/requests?source=store&team=b&status=200&fault=none", { headers: { cookie } })).json();
    expect(teamB.data.map((r: { id: string }) => r.id)).toEqual(["req-pg-1"]);

    // Out of the ring, still found: the detail view falls back to the store.
    const old = await gw.request("/ui/api/requests/req-pg-0", { headers: { cookie } });
    expect(old.status).toBe(200);
    expect((await old.json()).attempts[0]).toMatchObject({ provider: "mock", outcome: "ok" });
    expect((await gw.request("/ui/api/requests/req-pg-none", { headers: { cookie } })).status).toBe(404);
  });
});

describe("dashboard: chart history from the Postgres log sink", () => {
  async function gatewayLoggingTo(url: string, table: string): Promise<{ gw: TestGateway; cookie: string; logging: LogPlugin }> {
    const store = memoryKeyStore();
    const logging = log({ sinks: [postgresSink({ url, table })], queue: { flushIntervalMs: 50 } }) as LogPlugin;
    const gw = await createTestGateway({
      plugins: [auth({ keys: KEYS, store }), admin({ keys: [{ id: "ops", key: ADMIN }], store }), route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), logging, dashboard()],
    });
    gateways.push(gw);
    const login = await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: ADMIN }) });
    return { gw, cookie: login.headers.get("set-cookie")!.split(";")[0], logging };
  }

  it("adds up what was stored, per bucket, for the longer ranges", async () => {
    const table = uniqueTable("dashboard_history");
    tables.push(table);
    // Twenty hours ago, before this gateway ran: three requests in one five-minute bucket; three hours ago a failure.
    const now = Date.now();
    const earlier = Math.floor((now - 20 * 3600_000) / 300_000) * 300_000 + 1_000;
    const sample = sampleLogRecord();
    const old = (id: string, at: number, totalMs: number, more: Parameters<typeof sampleLogRecord>[0] = {}) =>
      sampleLogRecord({ id, time: new Date(at).toISOString(), timings: { ...sample.timings, totalMs }, costUsd: 0.01, ...more });
    const seeding = postgresSink({ url: DATABASE_URL, table });
    await seeding.write(
      [old("old-1", earlier, 100), old("old-2", earlier + 60_000, 200), old("old-3", earlier + 120_000, 300), old("old-4", now - 3 * 3600_000, 50, { status: 502, error: { code: "upstream_error", type: "api_error", fault: "provider", message: "failed" }, costUsd: null })],
      new AbortController().signal,
    );
    await seeding.close!();

    const { gw, cookie, logging } = await gatewayLoggingTo(DATABASE_URL, table);
    const response = await gw.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${KEYS[0].key}` });
    await response.text();
    await until(async () => (await logging.flush(), (await logging.api.log.stats()).written >= 1), "1 record written");

    expect((await (await gw.request("/ui/api/overview", { headers: { cookie } })).json()).historyStore).toBe("postgres");
    const day = await (await gw.request("/ui/api/history?range=24h", { headers: { cookie } })).json();
    expect(day).toMatchObject({ object: "history", range: "24h", source: "store", store: "postgres", bucketSeconds: 300 });
    // Every five minutes of the day, the empty ones as zeros.
    expect(day.points).toHaveLength(288);
    const busy = day.points.filter((p: { requests: number }) => p.requests > 0);
    expect(busy.map((p: { requests: number }) => p.requests)).toEqual([3, 1, 1]);
    expect(busy[0].t * 1000).toBe(earlier - 1_000);
    expect(busy[1].t * 1000).toBe(Math.floor((now - 3 * 3600_000) / 300_000) * 300_000);
    expect(busy[0]).toMatchObject({ p50: 200, rps: 3 / 300 });
    expect(busy[0].p99).toBeCloseTo(298, 9);
    expect(busy[0].costPerMin).toBeCloseTo(0.03 / 5, 12);
    expect(busy[0].tokensPerMin).toBeCloseTo((3 * 42) / 5, 9);
    expect(busy[1].errors).toEqual({ client: 0, policy: 0, provider: 1, gateway: 0 });
    // The request this gateway served is in the last bucket, from the table as much as from the ring.
    expect(busy[2].t * 1000).toBeGreaterThan(now - 600_000);

    // The last hour stays the ring's, live and finer, even with a store.
    const hour = await (await gw.request("/ui/api/history?range=1h", { headers: { cookie } })).json();
    expect(hour).toMatchObject({ source: "memory", store: "postgres", bucketSeconds: 5 });
    // A week in half hours, and a range of one's own choosing.
    expect((await (await gw.request("/ui/api/history?range=7d", { headers: { cookie } })).json()).points).toHaveLength(336);
    const chosen = await (await gw.request(`/ui/api/history?from=${new Date(earlier - 1_000).toISOString()}&to=${new Date(earlier + 3600_000).toISOString()}`, { headers: { cookie } })).json();
    expect(chosen).toMatchObject({ source: "store", bucketSeconds: 60, range: null });
    expect(chosen.points.filter((p: { requests: number }) => p.requests > 0).map((p: { requests: number }) => p.requests)).toEqual([1, 1, 1]);
  });

  it("says 503 when the store cannot be read, and the last hour still answers", async () => {
    const { gw, cookie } = await gatewayLoggingTo("postgres://postgres@127.0.0.1:1/test", uniqueTable("unreachable"));
    const response = await gw.request("/ui/api/history?range=6h", { headers: { cookie } });
    expect(response.status).toBe(503);
    expect((await response.json()).error).toMatchObject({ code: "log_store_unavailable", message: expect.stringContaining("range=1h") });
    expect((await gw.request("/ui/api/history?range=1h", { headers: { cookie } })).status).toBe(200);
    expect(gw.reported.some((e) => e.message.includes("reading history from the log sink"))).toBe(true);
  });
});
