import { afterAll, describe, expect, it } from "vitest";
import { admin, auth, dashboard, log, type LogPlugin, route } from "../../plugins/index.ts";
import { postgresSink } from "../../sinks/index.ts";
import { memoryKeyStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
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
