import { afterAll, describe, expect, it } from "vitest";
import { reloadingGateway } from "../../core/reloading.ts";
import { admin, auth, circuitBreaker, dashboard, route } from "../../plugins/index.ts";
import { mock } from "../../providers/index.ts";
import { memoryKeyStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { CONTENT_SECURITY_POLICY } from "../../plugins/dashboard/headers.ts";
import { until } from "../helpers/load.ts";

const ADMIN = "sk-admin-0123456789abcdef";
const VIRTUAL = { id: "app", key: "sk-app-0123456789abcdef", team: "search" };

const gateways: { close(o?: { timeoutMs?: number }): Promise<void> }[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.close({ timeoutMs: 500 });
});

async function gatewayWith(options: Parameters<typeof dashboard>[0] = {}): Promise<TestGateway> {
  const store = memoryKeyStore();
  const gw = await createTestGateway({
    plugins: [
      auth({ keys: [VIRTUAL], store }),
      admin({ keys: [{ id: "ops", key: ADMIN }], store, spendFlushMs: 60_000 }),
      route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
      circuitBreaker(),
      dashboard(options),
    ],
  });
  gateways.push(gw);
  return gw;
}

/** Log in and return what later calls send: the session cookie and the CSRF token. */
async function login(gw: TestGateway, key = ADMIN): Promise<{ response: Response; cookie: string; csrf: string }> {
  const response = await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }) });
  const setCookie = response.headers.get("set-cookie") ?? "";
  const body = response.status === 200 ? await response.clone().json() : {};
  return { response, cookie: setCookie.split(";")[0], csrf: body.csrfToken ?? "" };
}

/** A chat request, read to its end (its onComplete runs then). */
async function chat(gw: TestGateway, headers: Record<string, string> = {}): Promise<{ status: number }> {
  const response = await gw.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi" }] }, { authorization: `Bearer ${VIRTUAL.key}`, ...headers });
  await response.text();
  return { status: response.status };
}

/** Wait until the dashboard has filed `count` requests (onComplete runs after the answer went). */
async function filed(gw: TestGateway, cookie: string, count: number): Promise<void> {
  await until(async () => (await (await gw.request("/ui/api/overview", { headers: { cookie } })).json()).totals.requests >= count, `${count} requests filed`);
}

/** A gateway that has filed two chat requests, and a logged-in admin's cookie. */
async function twoRequestsFiled(): Promise<{ gw: TestGateway; cookie: string }> {
  const gw = await gatewayWith();
  const { cookie } = await login(gw);
  await chat(gw);
  await chat(gw);
  await filed(gw, cookie, 2);
  return { gw, cookie };
}

const DATA_ENDPOINTS = ["session", "overview", "history", "history?range=24h", "history?range=nonsense", "live", "requests", "requests/req_1", "providers", "admin/keys", "admin/teams", "admin/spend", "admin/status"];

describe("dashboard: security", () => {
  it("refuses to start without an admin plugin, saying so", async () => {
    await expect(createTestGateway({ plugins: [route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), dashboard()] })).rejects.toThrow(/no admin key is configured/);
  });

  it("answers every data endpoint with 401 without a session", async () => {
    const gw = await gatewayWith();
    for (const path of DATA_ENDPOINTS) {
      const response = await gw.request(`/ui/api/${path}`);
      expect(response.status, path).toBe(401);
      expect((await response.json()).error.code, path).toBe("session_required");
    }
    for (const [method, path] of [["POST", "logout"], ["POST", "admin/keys"], ["PATCH", "admin/keys/app"], ["DELETE", "admin/keys/app"], ["POST", "admin/reload"]]) {
      const response = await gw.request(`/ui/api/${path}`, { method, headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
    // A forged or stale cookie is no session either.
    expect((await gw.request("/ui/api/overview", { headers: { cookie: "switchyard_session=" + "0".repeat(64) } })).status).toBe(401);
  });

  it("lets an admin key log in, and neither a virtual key nor a wrong one", async () => {
    const gw = await gatewayWith();
    const virtual = await login(gw, VIRTUAL.key);
    expect(virtual.response.status).toBe(401);
    expect(virtual.response.headers.get("set-cookie")).toBeNull();
    expect((await virtual.response.json()).error.message).toContain("Virtual keys cannot log in");
    expect((await login(gw, "sk-wrong-0123456789abcdef")).response.status).toBe(401);
    expect((await login(gw, "")).response.status).toBe(401);

    const ok = await login(gw);
    expect(ok.response.status).toBe(200);
    const cookie = ok.response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^switchyard_session=[0-9a-f]{64}; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/ui");
    const session = await gw.request("/ui/api/session", { headers: { cookie: ok.cookie } });
    expect(session.status).toBe(200);
    expect((await session.json()).admin).toBe("ops");
  });

  it("marks the cookie Secure behind HTTPS", async () => {
    const gw = await gatewayWith();
    const response = await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/json", "x-forwarded-proto": "https" }, body: JSON.stringify({ key: ADMIN }) });
    expect(response.headers.get("set-cookie")).toContain("; Secure");
  });

  it("refuses changes without the session's CSRF token, or from another origin", async () => {
    const gw = await gatewayWith();
    const { cookie, csrf } = await login(gw);
    const create = (headers: Record<string, string>) => gw.request("/ui/api/admin/keys", { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body: JSON.stringify({ id: "made" }) });
    const missing = await create({});
    expect(missing.status).toBe(403);
    expect((await missing.json()).error.code).toBe("csrf_token_invalid");
    expect((await create({ "x-csrf-token": "f".repeat(csrf.length) })).status).toBe(403);
    const crossSite = await create({ "x-csrf-token": csrf, "sec-fetch-site": "cross-site" });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe("cross_origin_refused");
    expect((await create({ "x-csrf-token": csrf, origin: "https://evil.example" })).status).toBe(403);
    const loginFromElsewhere = await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: JSON.stringify({ key: ADMIN }) });
    expect(loginFromElsewhere.status).toBe(403);
    // A form post (no JSON content type) cannot log in either.
    expect((await gw.request("/ui/api/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `key=${ADMIN}` })).status).toBe(415);

    const made = await create({ "x-csrf-token": csrf });
    expect(made.status).toBe(201);
    expect((await made.json()).secret).toMatch(/^sk-/);
  });

  it("puts CSP, nosniff and frame-ancestors 'none' on every answer", async () => {
    const gw = await gatewayWith();
    const { cookie } = await login(gw);
    const page = await gw.request("/ui");
    const html = await page.text();
    const script = /src="\/ui\/assets\/([^"]+)"/.exec(html)![1];
    const style = /href="\/ui\/assets\/([^"]+)"/.exec(html)![1];
    const answers = [
      page,
      await gw.request("/ui/"),
      await gw.request(`/ui/assets/${script}`),
      await gw.request(`/ui/assets/${style}`),
      await gw.request("/ui/assets/nope.js"),
      await gw.request("/ui/api/overview"),
      await gw.request("/ui/api/overview", { headers: { cookie } }),
      await gw.request("/ui/api/admin/keys", { headers: { cookie } }),
    ];
    for (const response of answers) {
      expect(response.headers.get("content-security-policy"), response.url).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(answers[2].headers.get("cache-control")).toContain("immutable");
    expect(answers[2].headers.get("content-type")).toContain("javascript");
    expect(answers[3].headers.get("content-type")).toContain("text/css");
    expect(answers[4].status).toBe(404);
    // No inline script or style the CSP would have to allow.
    expect(html).not.toMatch(/<script>(?!<\/script>)|<style|style="/);
  });
});

describe("dashboard: data", () => {
  it("files requests in a bounded ring, finds one by id and shows its attempts", async () => {
    const gw = await gatewayWith({ maxRequests: 3 });
    const { cookie } = await login(gw);
    for (let i = 0; i < 5; i++) expect((await chat(gw, { "x-request-id": `req-test-${i}` })).status).toBe(200);
    await filed(gw, cookie, 5);
    const list = await (await gw.request("/ui/api/requests", { headers: { cookie } })).json();
    expect(list.data.map((r: { id: string }) => r.id)).toEqual(["req-test-4", "req-test-3", "req-test-2"]);
    expect(list.data[0]).toMatchObject({ key: "app", team: "search", model: "fast", provider: "mock", status: 200, attempts: 1 });
    const byKey = await (await gw.request("/ui/api/requests?key=nobody", { headers: { cookie } })).json();
    expect(byKey.data).toEqual([]);
    const byStatus = await (await gw.request("/ui/api/requests?status=2xx&provider=mock", { headers: { cookie } })).json();
    expect(byStatus.data).toHaveLength(3);
    const one = await (await gw.request("/ui/api/requests/req-test-3", { headers: { cookie } })).json();
    expect(one.attempts).toHaveLength(1);
    expect(one.attempts[0]).toMatchObject({ provider: "mock", model: "mock", outcome: "ok", status: 200 });
    expect(one.served).toEqual({ provider: "mock", model: "mock" });
    expect(JSON.stringify(one)).not.toContain(VIRTUAL.key);
    expect((await gw.request("/ui/api/requests/req-test-0", { headers: { cookie } })).status).toBe(404);
  });

  it("counts traffic in the overview and streams it live", async () => {
    const { gw, cookie } = await twoRequestsFiled();
    const overview = await (await gw.request("/ui/api/overview", { headers: { cookie } })).json();
    expect(overview.totals.requests).toBe(2);
    expect(overview.points).toHaveLength(720);
    expect(overview.current.requests).toBe(2);
    expect(overview.current.p50).toBeGreaterThanOrEqual(0);

    const controller = new AbortController();
    const live = await gw.request("/ui/api/live", { headers: { cookie }, signal: controller.signal });
    expect(live.headers.get("content-type")).toBe("text/event-stream");
    const reader = live.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: tick\ndata: /);
    expect(JSON.parse(first.split("data: ")[1]).totals.requests).toBe(2);
    await reader.cancel();
    controller.abort();
  });

  it("answers history from the ring when no log sink keeps it, and says so", async () => {
    const { gw, cookie } = await twoRequestsFiled();
    const overview = await (await gw.request("/ui/api/overview", { headers: { cookie } })).json();
    expect(overview.historyStore).toBeNull();
    const sum = (points: { requests: number }[]): number => points.reduce((n, p) => n + p.requests, 0);

    const hour = await (await gw.request("/ui/api/history?range=1h", { headers: { cookie } })).json();
    expect(hour).toMatchObject({ object: "history", range: "1h", source: "memory", store: null, bucketSeconds: 5 });
    expect(hour.note).toBeUndefined();
    expect(sum(hour.points)).toBe(2);
    // The ring's 5-second slots, inside the hour asked for.
    expect(hour.points.length).toBeGreaterThan(700);
    expect(hour.points.length).toBeLessThanOrEqual(720);
    expect(hour.points.every((p: { t: number }) => p.t * 1000 >= Date.parse(hour.from) && p.t * 1000 < Date.parse(hour.to))).toBe(true);

    const day = await (await gw.request("/ui/api/history?range=24h", { headers: { cookie } })).json();
    expect(day).toMatchObject({ range: "24h", source: "memory", store: null });
    expect(day.note).toMatch(/Only the last 60 min, kept in memory.*postgresSink/);
    expect(sum(day.points)).toBe(2);
    expect(Date.parse(day.to) - Date.parse(day.from)).toBe(24 * 3600_000);
  });

  it("refuses a history range it does not offer with a 400 that says why", async () => {
    const gw = await gatewayWith();
    const { cookie } = await login(gw);
    const now = Date.now();
    const iso = (ms: number): string => new Date(ms).toISOString();
    const bad: [string, RegExp][] = [
      ["range=2h", /range must be one of 1h, 6h, 24h, 7d/],
      ["range=toString", /range must be one of/],
      [`range=6h&from=${iso(now - 3600_000)}&to=${iso(now)}`, /not both/],
      [`from=${iso(now - 3600_000)}`, /both from and to/],
      [`from=yesterday&to=${iso(now)}`, /ISO 8601/],
      [`from=${iso(now)}&to=${iso(now - 3600_000)}`, /at least a minute after/],
      [`from=${iso(now - 40 * 86_400_000)}&to=${iso(now)}`, /at most 31 days/],
    ];
    for (const [query, message] of bad) {
      const response = await gw.request(`/ui/api/history?${query}`, { headers: { cookie } });
      expect(response.status, query).toBe(400);
      const body = await response.json();
      expect(body.error.code, query).toBe("invalid_range");
      expect(body.error.message, query).toMatch(message);
    }
    // From/to on bucket boundaries: two hours in one-minute points; ms since the epoch work too.
    const from = Date.UTC(2026, 0, 1, 10, 0, 30);
    const ok = await (await gw.request(`/ui/api/history?from=${from}&to=${iso(from + 2 * 3600_000)}`, { headers: { cookie } })).json();
    expect(ok).toMatchObject({ range: null, from: "2026-01-01T10:00:00.000Z", to: "2026-01-01T12:01:00.000Z", source: "memory" });
  });

  it("lists targets, circuits and routes", async () => {
    const gw = await gatewayWith();
    const { cookie } = await login(gw);
    await chat(gw);
    await filed(gw, cookie, 1);
    const providers = await (await gw.request("/ui/api/providers", { headers: { cookie } })).json();
    expect(providers.routes.fast).toEqual([expect.objectContaining({ provider: "mock", model: "mock" })]);
    expect(providers.targets).toEqual([expect.objectContaining({ provider: "mock", model: "mock", attempts: 1, errors: 0 })]);
    expect(providers.circuitBreaker).toBe(true);
  });

  it("stops its live timer when the last watcher leaves", async () => {
    const plugin = dashboard();
    const store = memoryKeyStore();
    const gw = await createTestGateway({ plugins: [admin({ keys: [{ id: "ops", key: ADMIN }], store }), route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), plugin] });
    gateways.push(gw);
    const { cookie } = await login(gw);
    const feeds = [new AbortController(), new AbortController()];
    const readers = await Promise.all(feeds.map(async (c) => (await gw.request("/ui/api/live", { headers: { cookie }, signal: c.signal })).body!.getReader()));
    await Promise.all(readers.map((r) => r.read()));
    expect(plugin.watching).toBe(2);
    await readers[0].cancel();
    expect(plugin.watching).toBe(1);
    await readers[1].cancel();
    expect(plugin.watching).toBe(0);
  });

  it("keeps logins, counts and the request ring across a reload", async () => {
    const store = memoryKeyStore();
    const gateway = await reloadingGateway({
      source: "test",
      load: async () => ({
        providers: { mock: mock() },
        plugins: [auth({ keys: [VIRTUAL], store }), admin({ keys: [{ id: "ops", key: ADMIN }], store }), route({ models: { fast: [{ provider: "mock", model: "mock" }] } }), dashboard()],
      }),
    });
    gateways.push(gateway);
    const gw = gateway as unknown as TestGateway;
    const { cookie, csrf } = await login(gw);
    const sent = await gateway.request("/v1/chat/completions", { method: "POST", headers: { authorization: `Bearer ${VIRTUAL.key}`, "content-type": "application/json", "x-request-id": "req-before-reload" }, body: JSON.stringify({ model: "fast", messages: [{ role: "user", content: "hi" }] }) });
    await sent.text();
    await filed(gw, cookie, 1);
    const reload = await gateway.request("/ui/api/admin/reload", { method: "POST", headers: { cookie, "x-csrf-token": csrf } });
    expect(await reload.json()).toMatchObject({ ok: true, version: 2 });
    const after = await gateway.request("/ui/api/requests/req-before-reload", { headers: { cookie } });
    expect(after.status).toBe(200);
    const overview = await (await gateway.request("/ui/api/overview", { headers: { cookie } })).json();
    expect(overview.totals.requests).toBe(1);
    expect((await (await gateway.request("/ui/api/providers", { headers: { cookie } })).json()).config.version).toBe(2);
  });

  it("checks its options", () => {
    expect(() => dashboard({ maxRequests: 0 })).toThrow(/maxRequests must be a positive integer/);
    expect(() => dashboard({ path: "/ui?x" })).toThrow(/plain path/);
  });
});
