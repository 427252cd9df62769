import { describe, expect, it } from "vitest";
import { fallback, route } from "../../plugins/index.ts";
import { readSSE } from "../../testing/index.ts";
import { chat, gatewayWithUpstreams, settled } from "./helpers.ts";

const fastRoute = route({ models: { fast: [{ provider: "a", model: "m-a" }, { provider: "b", model: "m-b" }] } });
const noJitter = () => 0;

describe("fallback", () => {
  it("moves to the next target after a 500, and says who served and how many attempts it took", async () => {
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 0 })]);
    up.a.fail({ status: 500 });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
    expect(res.headers.get("x-switchyard-model")).toBe("m-b");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect((await res.json()).object).toBe("chat.completion");
    await settled(gateway);
    const attempts = seen[0].attempts;
    expect(attempts.map((a) => [a.target.provider, a.outcome, a.status, a.errorCode])).toEqual([
      ["a", "error", 500, "upstream_error"],
      ["b", "ok", 200, null],
    ]);
    expect(attempts[1].startedAt).toBeGreaterThanOrEqual(attempts[0].startedAt + attempts[0].durationMs);
    expect(attempts.every((a) => a.durationMs >= 0)).toBe(true);
  });

  it("retries the same target first, with backoff, before moving on", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 1, backoff: { baseMs: 1 } })]);
    up.a.fail({ status: 503 });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.headers.get("x-switchyard-provider")).toBe("a");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(up.a.calls).toHaveLength(2);
    expect(up.b.calls).toHaveLength(0);
  });

  it("waits for Retry-After on a 429 before retrying the same target", async () => {
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 1 })]);
    up.a.fail({ status: 429, headers: { "retry-after-ms": "60" } });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("a");
    await settled(gateway);
    const [first, second] = seen[0].attempts;
    expect(first.status).toBe(429);
    // A lower bound only: the retry did not start before the upstream's Retry-After ran out.
    expect(second.startedAt - (first.startedAt + first.durationMs)).toBeGreaterThanOrEqual(55);
  });

  it("moves on at once when Retry-After is longer than the cap", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 3, backoff: { retryAfterMaxMs: 1000 } })]);
    up.a.fail({ status: 429, headers: { "retry-after": "120" } });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
    expect(up.a.calls).toHaveLength(1);
  });

  it("never retries a failure the request caused", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 2, on: [400, "5xx"] })]);
    up.a.fail({ status: 400 });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("Mock upstream error 400");
    expect(up.a.calls).toHaveLength(1);
    expect(up.b.calls).toHaveLength(0);
  });

  it("does not retry what `on` leaves out", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ on: [503] })]);
    up.a.fail({ status: 500 });
    expect((await gateway.post("/v1/chat/completions", chat("fast"))).status).toBe(500);
    up.a.fail({ status: 503 });
    expect((await gateway.post("/v1/chat/completions", chat("fast"))).status).toBe(200);
  });

  it("tries the next target when the upstream never answers (first-byte timeout), aborting the call", async () => {
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 0 })], { timeouts: { a: { firstByteMs: 80 } } });
    up.a.fail({ hang: true });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
    await settled(gateway);
    expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", status: 504, errorCode: "upstream_timeout" });
    expect(up.a.calls[0].aborted).toBe(true);
  });

  it("applies a target's own timeouts over its provider's", async () => {
    const plugins = [route({ models: { fast: [{ provider: "a", model: "m", timeouts: { firstByteMs: 60 } }, { provider: "b", model: "m" }] } }), fallback({ retries: 0 })];
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], plugins, { timeouts: { a: { firstByteMs: 60_000 } } });
    up.a.fail({ hang: true });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
  });

  it("ends a slow stream at the idle limit with an error event; nothing falls back after the first byte", async () => {
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 2 })], { timeouts: { a: { idleMs: 80 } } });
    up.a.fail({ chunkDelayMs: 5_000 });
    const res = await gateway.post("/v1/chat/completions", chat("fast", { stream: true }));
    expect(res.status).toBe(200);
    const events = (await readSSE(res)) as { choices?: unknown[]; error?: { code: string; message: string } }[];
    expect(events[0].choices).toBeDefined();
    expect(events.at(-1)?.error?.code).toBe("upstream_stream_error");
    expect(events.at(-1)?.error?.message).toContain("idle timeout");
    await settled(gateway);
    expect(up.b.calls).toHaveLength(0);
    expect(up.a.calls[0].aborted).toBe(true);
    expect(seen[0].attempts).toHaveLength(1);
    expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", errorCode: "upstream_timeout", fault: "provider" });
    expect(seen[0].error?.code).toBe("upstream_timeout");
  });

  it("ends a stream cut after its first chunk cleanly, without fallback, and records it", async () => {
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 2 })]);
    up.a.fail({ cutAfterEvents: 1 });
    const res = await gateway.post("/v1/chat/completions", chat("fast", { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    const events = (await readSSE(res)) as { choices?: unknown[]; error?: { code: string } }[];
    expect(events).toHaveLength(2);
    expect(events[0].choices).toBeDefined();
    expect(events[1].error?.code).toBe("upstream_stream_error");
    await settled(gateway);
    expect(up.b.calls).toHaveLength(0);
    expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", errorCode: "upstream_stream_error", status: 200 });
  });

  it("answers one clean 5xx error when every target fails", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute, fallback({ retries: 1, backoff: { baseMs: 1 } })]);
    up.a.fail({ status: 500 }, { status: 502 });
    up.b.fail({ status: 500 }, { status: 503 });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-switchyard-attempts")).toBe("4");
    const body = await res.json();
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error.message).toBe(`Provider "b" failed with status 503: Mock upstream error 503`);
  });

  it("bounds the work of one request by its attempt budget, even when every target hangs", async () => {
    const plugins = [
      route({ models: { fast: ["a", "b", "c"].map((p) => ({ provider: p, model: "m" })) } }),
      fallback({ retries: 5, budget: 3, random: noJitter }),
    ];
    const hang = { firstByteMs: 40 };
    const { gateway, up } = await gatewayWithUpstreams(["a", "b", "c"], plugins, { timeouts: { a: hang, b: hang, c: hang } });
    for (const u of Object.values(up)) u.fail(...Array.from({ length: 6 }, () => ({ hang: true })));
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(504);
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect((await res.json()).error.code).toBe("upstream_timeout");
    expect(up.a.calls.length + up.b.calls.length + up.c.calls.length).toBe(3);
  });

  it("lets a request set its own attempt time limit, capped by config", async () => {
    const { gateway, up } = await gatewayWithUpstreams(["a"], [], { limits: { maxTimeoutMs: 60 } });
    up.a.fail({ hang: true }, { hang: true });
    const capped = await gateway.post("/v1/chat/completions", chat("a/m"), { "x-switchyard-timeout-ms": "600000" });
    expect(capped.status).toBe(504);
    expect((await capped.json()).error.message).toContain("total timeout, 60 ms");
    const own = await gateway.post("/v1/chat/completions", chat("a/m"), { "x-switchyard-timeout-ms": "30" });
    expect((await own.json()).error.message).toContain("total timeout, 30 ms");
    const bad = await gateway.post("/v1/chat/completions", chat("a/m"), { "x-switchyard-timeout-ms": "soon" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_timeout");
  });

  it("checks its options", () => {
    expect(() => fallback({ on: ["sometimes" as never] })).toThrow('fallback: on has "sometimes"');
    expect(() => fallback({ retries: -1 })).toThrow("fallback: retries must be a number >= 0");
    expect(() => fallback({ budget: 0 })).toThrow("fallback: budget must be at least 1");
  });
});
