import { describe, expect, it } from "vitest";
import { definePlugin, type Plugin, type ReadyCheck, type RouteHandler } from "../../core/index.ts";
import { createTestGateway } from "../../testing/index.ts";

function serving(name: string, method: "GET" | "POST", path: string, handler: RouteHandler): Plugin {
  return definePlugin({ name, setup: (app) => app.addRoute(method, path, handler) });
}

function readyWhen(name: string, check: ReadyCheck): Plugin {
  return definePlugin({ name, setup: (app) => app.addReadyCheck(name, check) });
}

describe("routes plugins add", () => {
  it("serves a plugin's route and answers 405 with the right Allow for other methods", async () => {
    const gateway = await createTestGateway({ plugins: [serving("metrics", "GET", "/metrics", () => new Response("up 1\n"))] });
    const res = await gateway.request("/metrics");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("up 1\n");
    const wrong = await gateway.request("/metrics", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect((await wrong.json()).error.type).toBe("invalid_request_error");
  });

  it("passes the web Request to the handler and awaits async handlers", async () => {
    const gateway = await createTestGateway({
      plugins: [serving("echo", "POST", "/admin/echo", async (req) => new Response(`${req.method} ${await req.text()}`))],
    });
    const res = await gateway.request("/admin/echo", { method: "POST", body: "ping" });
    expect(await res.text()).toBe("POST ping");
  });

  it("lets one plugin serve GET and POST on one path", async () => {
    const gateway = await createTestGateway({
      plugins: [
        definePlugin({
          name: "both",
          setup(app) {
            app.addRoute("GET", "/x", () => new Response("get"));
            app.addRoute("POST", "/x", () => new Response("post"));
          },
        }),
      ],
    });
    expect(await (await gateway.request("/x")).text()).toBe("get");
    expect(await (await gateway.request("/x", { method: "POST" })).text()).toBe("post");
    expect((await gateway.request("/x", { method: "PUT" })).headers.get("allow")).toBe("GET, POST");
  });

  it.each([
    ["/v1/chat/completions", /under \/v1\//],
    ["/v1/anything", /under \/v1\//],
    ["/health", /built-in route/],
    ["/ready", /built-in route/],
    ["metrics", /must start with/],
  ])("refuses %s at build time", async (path, reason) => {
    await expect(createTestGateway({ plugins: [serving("bad", "GET", path, () => new Response(""))] })).rejects.toThrow(reason);
  });

  it("serves every path under a prefix with PUT, PATCH and DELETE too", async () => {
    const gateway = await createTestGateway({
      plugins: [
        definePlugin({
          name: "admin",
          setup(app) {
            for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
              app.addRoute(method, "/admin/v1/*", (req) => new Response(`${req.method} ${new URL(req.url).pathname}`));
            }
          },
        }),
      ],
    });
    expect(await (await gateway.request("/admin/v1/keys/abc", { method: "PATCH" })).text()).toBe("PATCH /admin/v1/keys/abc");
    expect(await (await gateway.request("/admin/v1/keys", { method: "DELETE" })).text()).toBe("DELETE /admin/v1/keys");
    expect(await (await gateway.request("/admin/v1/status")).text()).toBe("GET /admin/v1/status");
    expect((await gateway.request("/admin/v2/status")).status).toBe(404);
  });

  it.each([["/*"], ["/admin*"], ["/a/*/b"]])("refuses the wildcard path %s", async (path) => {
    await expect(createTestGateway({ plugins: [serving("bad", "GET", path, () => new Response(""))] })).rejects.toThrow(/wildcard|built-in|must/);
  });

  it("closes every plugin when one fails in setup, so nothing it opened lingers", async () => {
    const closed: string[] = [];
    const plugin = (name: string, fail = false): Plugin =>
      definePlugin({
        name,
        setup() {
          if (fail) throw new Error("nope");
        },
        close() {
          closed.push(name);
        },
      });
    await expect(createTestGateway({ plugins: [plugin("a"), plugin("b", true), plugin("c")] })).rejects.toThrow('Plugin "b" failed in setup: nope');
    expect(closed).toEqual(["c", "b", "a"]);
  });

  it("keeps what a failing setup threw as the build error's cause", async () => {
    const thrown = new Error("socket refused");
    const error = await createTestGateway({ plugins: [{ name: "sink", setup: () => Promise.reject(thrown) }] }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('Plugin "sink" failed in setup: socket refused');
    expect((error as Error).cause).toBe(thrown);
  });

  it("refuses a route two plugins both claim, naming the first", async () => {
    const a = serving("first", "GET", "/metrics", () => new Response(""));
    const b = serving("second", "GET", "/metrics", () => new Response(""));
    await expect(createTestGateway({ plugins: [a, b] })).rejects.toThrow(/Plugin "second" failed in setup: .*already served by plugin "first"/);
  });
});

describe("ready checks", () => {
  it("answers 503 naming the failing checks, and ready again once they pass", async () => {
    let sinkUp = false;
    const gateway = await createTestGateway({ plugins: [readyWhen("log:postgres", () => sinkUp), readyWhen("store:redis", () => true)] });
    const down = await gateway.request("/ready");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "not_ready", failing: ["log:postgres"] });
    sinkUp = true;
    const up = await gateway.request("/ready");
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: "ready" });
  });

  it("treats a throwing check and a rejected promise as failing, and /health stays up", async () => {
    const gateway = await createTestGateway({
      plugins: [
        readyWhen("throws", () => {
          throw new Error("boom");
        }),
        readyWhen("rejects", () => Promise.reject(new Error("no"))),
        readyWhen("async-ok", async () => true),
      ],
    });
    const res = await gateway.request("/ready");
    expect(await res.json()).toEqual({ status: "not_ready", failing: ["throws", "rejects"] });
    expect((await gateway.request("/health")).status).toBe(200);
  });

  it("fails a check that never answers after a second, without hanging /ready", async () => {
    const gateway = await createTestGateway({ plugins: [readyWhen("hangs", () => new Promise<boolean>(() => {}))] });
    const started = Date.now();
    const res = await gateway.request("/ready");
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("says shutting_down once close has begun, whatever the checks say", async () => {
    const gateway = await createTestGateway({ plugins: [readyWhen("ok", () => true)] });
    await gateway.close({ timeoutMs: 0 });
    const res = await gateway.request("/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "shutting_down" });
  });
});
