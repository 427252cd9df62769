import { afterAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../core/config.ts";
import { reloadingGateway } from "../../core/reloading.ts";
import { admin, auth, budget, cost, rateLimit, route } from "../../plugins/index.ts";
import { mock } from "../../providers/index.ts";
import { memoryKeyStore } from "../../stores/index.ts";
import type { KeyStore } from "../../core/key-store.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { until } from "../helpers/load.ts";

const ADMIN = "sk-admin-0123456789abcdef";
const CONFIG_KEY = { id: "config-app", key: "sk-config-0123456789", team: "search" };

const gateways: { close(o?: { timeoutMs?: number }): Promise<void> }[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.close({ timeoutMs: 500 });
});

async function gatewayWith(store: KeyStore = memoryKeyStore(), extra: GatewayConfig["plugins"] = []): Promise<{ gw: TestGateway; store: KeyStore }> {
  const gw = await createTestGateway({
    plugins: [
      auth({ keys: [CONFIG_KEY], store }),
      admin({ keys: [{ id: "ops", key: ADMIN }], store, spendFlushMs: 60_000 }),
      route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
      ...(extra ?? []),
    ],
  });
  gateways.push(gw);
  return { gw, store };
}

function call(gw: TestGateway, method: string, path: string, body?: unknown, key = ADMIN): Promise<Response> {
  return gw.request(`/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const chat = (gw: TestGateway, key: string, model = "fast") => gw.post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${key}` });

describe("admin API: authentication", () => {
  it("refuses calls without an admin key, with a wrong one, and with a virtual key", async () => {
    const { gw } = await gatewayWith();
    const none = await gw.request("/admin/v1/keys");
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe("invalid_admin_key");
    expect((await call(gw, "GET", "/keys", undefined, "sk-wrong-0123456789")).status).toBe(401);
    const virtual = await call(gw, "GET", "/keys", undefined, CONFIG_KEY.key);
    expect(virtual.status).toBe(401);
    expect((await virtual.json()).error.message).toContain("Virtual keys cannot use the admin API");
    // And an admin key is no virtual key.
    expect((await chat(gw, ADMIN)).status).toBe(401);
  });

  it("refuses weak admin keys at startup", () => {
    expect(() => admin({ keys: [{ id: "ops", key: "short" }], store: memoryKeyStore() })).toThrow(/at least 16 characters/);
    expect(() => admin({ keys: [], store: memoryKeyStore() })).toThrow(/at least one admin key/);
  });
});

describe("admin API: keys", () => {
  it("creates a key whose secret is returned once and works at once; only its hash is kept", async () => {
    const { gw, store } = await gatewayWith();
    const created = await call(gw, "POST", "/keys", { id: "app-1", team: "search", models: ["fast"], tags: ["prod"], metadata: { owner: "alice" }, rpm: 50 });
    expect(created.status).toBe(201);
    const answer = await created.json();
    expect(answer).toMatchObject({ object: "key", id: "app-1", team: "search", models: ["fast"], tags: ["prod"], metadata: { owner: "alice" }, rpm: 50 });
    expect(answer.secret).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}$/);
    expect(answer.hint).toBe(answer.secret.slice(-4));
    expect(answer.hash).toBeUndefined();
    expect((await chat(gw, answer.secret)).status).toBe(200);
    expect((await chat(gw, answer.secret, "mock/mock")).status).toBe(403);

    const read = await (await call(gw, "GET", "/keys/app-1")).json();
    expect(read.secret).toBeUndefined();
    expect(read.hash).toBeUndefined();
    expect(JSON.stringify(store.current())).not.toContain(answer.secret);
    const list = await (await call(gw, "GET", "/keys")).json();
    expect(list.data.map((k: { id: string }) => k.id)).toEqual(["app-1"]);
    expect((await (await call(gw, "GET", "/keys?team=other")).json()).data).toEqual([]);
  });

  it("generates an id when none is given and refuses a taken one with 409", async () => {
    const { gw } = await gatewayWith();
    const generated = await (await call(gw, "POST", "/keys", {})).json();
    expect(generated.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect((await call(gw, "POST", "/keys", { id: "dup" })).status).toBe(201);
    const again = await call(gw, "POST", "/keys", { id: "dup" });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("conflict");
  });

  it("disables, re-enables, clears fields, rotates and deletes", async () => {
    const { gw } = await gatewayWith();
    const { secret } = await (await call(gw, "POST", "/keys", { id: "app", models: ["mock/mock"] })).json();
    expect((await call(gw, "PATCH", "/keys/app", { disabled: true })).status).toBe(200);
    const refused = await chat(gw, secret);
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.message).toContain("disabled");
    expect((await call(gw, "PATCH", "/keys/app", { disabled: false, models: null })).status).toBe(200);
    expect((await chat(gw, secret)).status).toBe(200);
    expect((await (await call(gw, "GET", "/keys/app")).json()).models).toBeUndefined();

    const rotated = await (await call(gw, "POST", "/keys/app/rotate")).json();
    expect(rotated.secret).not.toBe(secret);
    expect((await chat(gw, secret)).status).toBe(401);
    expect((await chat(gw, rotated.secret)).status).toBe(200);

    expect((await call(gw, "PATCH", "/keys/app", { expiresAt: "2000-01-01T00:00:00Z" })).status).toBe(200);
    expect((await (await chat(gw, rotated.secret)).json()).error.message).toContain("expired");

    const deleted = await call(gw, "DELETE", "/keys/app");
    expect(await deleted.json()).toEqual({ object: "key", id: "app", deleted: true });
    expect((await chat(gw, rotated.secret)).status).toBe(401);
    expect((await call(gw, "GET", "/keys/app")).status).toBe(404);
    expect((await call(gw, "DELETE", "/keys/app")).status).toBe(404);
  });

  it.each([
    [{ rpm: 0 }, "rpm"],
    [{ rpm: 1.5 }, "rpm"],
    [{ tpm: "lots" }, "tpm"],
    [{ budgetUsd: -1 }, "budgetUsd"],
    [{ budgetPeriod: "week" }, "budgetPeriod"],
    [{ expiresAt: "soon" }, "expiresAt"],
    [{ models: "fast" }, "models"],
    [{ metadata: { owner: 7 } }, "metadata.owner"],
    [{ id: "has space" }, "id"],
    [{ secret: "sk-mine" }, "secret"],
    [{ hash: "abc" }, "hash"],
  ])("refuses %j with a 400 naming %s", async (input, param) => {
    const { gw } = await gatewayWith();
    const res = await call(gw, "POST", "/keys", input);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_value", param });
    expect(error.message).toContain(`'${param}'`);
  });

  it("answers bad bodies, unknown paths and wrong methods with clear 4xx", async () => {
    const { gw } = await gatewayWith();
    expect((await call(gw, "POST", "/keys", "{not json")).status).toBe(400);
    const text = await gw.request("/admin/v1/keys", { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    expect((await call(gw, "POST", "/keys", [])).status).toBe(400);
    expect((await call(gw, "PATCH", "/keys/nope", { rpm: 1 })).status).toBe(404);
    expect((await call(gw, "GET", "/nothing")).status).toBe(404);
    const wrong = await call(gw, "PUT", "/keys");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
    expect((await call(gw, "GET", "/keys/%E0%A4%A")).status).toBe(400);
    expect((await call(gw, "GET", "/spend?by=week")).status).toBe(400);
    expect((await call(gw, "GET", "/spend?from=yesterday")).status).toBe(400);
    expect((await call(gw, "GET", "/audit?limit=0")).status).toBe(400);
  });
});

describe("per-key and per-team limits and budgets", () => {
  it("a key's rpm overrides the rateLimit default, which stays for keys that set none (config keys included)", async () => {
    const store = memoryKeyStore();
    const { gw } = await gatewayWith(store, [rateLimit({ per: "key", rpm: 3 })]);
    const { secret } = await (await call(gw, "POST", "/keys", { id: "tight", rpm: 1 })).json();
    expect((await chat(gw, secret)).status).toBe(200);
    const limited = await chat(gw, secret);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.message).toContain("key 'tight' on requests per min (RPM): Limit 1");
    // The config key has no rpm of its own: the plugin's 3 apply.
    expect([(await chat(gw, CONFIG_KEY.key)).status, (await chat(gw, CONFIG_KEY.key)).status, (await chat(gw, CONFIG_KEY.key)).status, (await chat(gw, CONFIG_KEY.key)).status]).toEqual([200, 200, 200, 429]);
    // Raising the key's limit at runtime takes effect at the new rate (GCRA: one new interval, 0.6 s here).
    expect((await call(gw, "PATCH", "/keys/tight", { rpm: 100 })).status).toBe(200);
    await until(async () => (await chat(gw, secret)).status === 200, "the raised limit");
  });

  it("a team's limits apply to its keys, config keys included, with no plugin default", async () => {
    const { gw } = await gatewayWith(memoryKeyStore(), [rateLimit({ per: "team" })]);
    expect((await call(gw, "POST", "/teams", { id: "search", rpm: 2, metadata: { cost_centre: "42" } })).status).toBe(201);
    const { secret } = await (await call(gw, "POST", "/keys", { id: "search-2", team: "search" })).json();
    expect((await chat(gw, CONFIG_KEY.key)).status).toBe(200);
    expect((await chat(gw, secret)).status).toBe(200);
    const limited = await chat(gw, secret);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.message).toContain("team 'search'");
    const teams = await (await call(gw, "GET", "/teams")).json();
    expect(teams.data).toEqual([expect.objectContaining({ object: "team", id: "search", rpm: 2, metadata: { cost_centre: "42" } })]);
    expect((await call(gw, "PATCH", "/teams/search", { rpm: null })).status).toBe(200);
    expect((await chat(gw, secret)).status).toBe(200);
    expect((await call(gw, "DELETE", "/teams/search")).status).toBe(200);
    expect((await call(gw, "GET", "/teams/search")).status).toBe(404);
  });

  it("a key's budget caps its spend; keys without one follow the budget plugin's", async () => {
    const { gw } = await gatewayWith(memoryKeyStore(), [cost({ prices: { "mock/mock": { input: 1_000_000, output: 1_000_000 } } }), budget({ per: "key" })]);
    const { secret } = await (await call(gw, "POST", "/keys", { id: "capped", budgetUsd: 1, budgetPeriod: "day" })).json();
    expect((await chat(gw, secret)).status).toBe(200);
    await gw.drain(1000);
    await new Promise((r) => setTimeout(r, 20));
    const refused = await chat(gw, secret);
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatchObject({ code: "insufficient_quota" });
    // No default cap: the config key is not capped.
    for (let i = 0; i < 3; i++) expect((await chat(gw, CONFIG_KEY.key)).status).toBe(200);
  });
});

describe("admin API: spend, audit, status, reload", () => {
  it("adds spend up by key, team and model", async () => {
    const { gw } = await gatewayWith(memoryKeyStore(), [cost({ prices: { "mock/mock": { input: 1, output: 2 } } })]);
    const { secret } = await (await call(gw, "POST", "/keys", { id: "spender", team: "ads" })).json();
    for (let i = 0; i < 3; i++) await chat(gw, secret);
    await chat(gw, CONFIG_KEY.key);
    await gw.drain(1000);
    await new Promise((r) => setTimeout(r, 20));
    const byKey = await (await call(gw, "GET", "/spend?by=key")).json();
    expect(byKey.by).toBe("key");
    const spender = byKey.data.find((row: { key: string }) => row.key === "spender");
    expect(spender).toMatchObject({ requests: 3 });
    expect(spender.costUsd).toBeGreaterThan(0);
    expect(spender.inputTokens).toBeGreaterThan(0);
    const byTeam = await (await call(gw, "GET", "/spend?by=team")).json();
    expect(byTeam.data.map((r: { team: string }) => r.team).sort()).toEqual(["ads", "search"]);
    const byModel = await (await call(gw, "GET", "/spend?by=model")).json();
    expect(byModel.data).toEqual([expect.objectContaining({ model: "mock/mock", requests: 4 })]);
    const future = await (await call(gw, "GET", `/spend?from=${encodeURIComponent(new Date(Date.now() + 7_200_000).toISOString())}`)).json();
    expect(future.data).toEqual([]);
  });

  it("keeps an audit trail of who changed what", async () => {
    const { gw } = await gatewayWith();
    await call(gw, "POST", "/keys", { id: "audited" });
    await call(gw, "PATCH", "/keys/audited", { rpm: 9 });
    await call(gw, "DELETE", "/keys/audited");
    const audit = await (await call(gw, "GET", "/audit?target=key:audited")).json();
    expect(audit.data.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`)).toEqual(["ops key.delete", "ops key.update", "ops key.create"]);
    expect(audit.data[1].after.rpm).toBe(9);
    expect(JSON.stringify(audit)).not.toMatch(/"hash"/);
  });

  it("reports status, and reloads through the server around the gateway", async () => {
    const { gw } = await gatewayWith();
    const status = await (await call(gw, "GET", "/status")).json();
    expect(status).toMatchObject({ object: "status", config: null, store: { kind: "memory", available: true, keys: 0, teams: 0 }, inFlight: 0 });
    expect((await call(gw, "POST", "/reload")).status).toBe(501);

    let broken = false;
    const store = memoryKeyStore();
    const gateway = await reloadingGateway({
      source: "test",
      async load() {
        if (broken) throw new Error("the config is broken");
        return { providers: { mock: mock() }, plugins: [auth({ store }), admin({ keys: [{ id: "ops", key: ADMIN }], store })] };
      },
    });
    gateways.push(gateway);
    const reload = () => gateway.request("/admin/v1/reload", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
    const ok = await reload();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ object: "reload", ok: true, version: 2 });
    broken = true;
    const failed = await reload();
    expect(failed.status).toBe(422);
    expect(await failed.json()).toMatchObject({ ok: false, version: 2, error: "the config is broken", code: "reload_failed" });
    const after = await (await gateway.request("/admin/v1/status", { headers: { authorization: `Bearer ${ADMIN}` } })).json();
    expect(after.config).toMatchObject({ version: 2, reloads: 1, failedReloads: 1, lastReload: { ok: false, error: "the config is broken" } });
  });

  it("keeps runtime keys across a reload (the memory key store is carried over)", async () => {
    const config = (): GatewayConfig => {
      const store = memoryKeyStore();
      return { providers: { mock: mock() }, plugins: [auth({ store }), admin({ keys: [{ id: "ops", key: ADMIN }], store })] };
    };
    const gateway = await reloadingGateway({ load: async () => config() });
    gateways.push(gateway);
    const created = await gateway.request("/admin/v1/keys", { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" }, body: "{}" });
    const { secret } = await created.json();
    expect((await gateway.reload()).ok).toBe(true);
    const res = await gateway.request("/v1/models", { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(200);
  });
});
