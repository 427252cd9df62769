import { describe, expect, it } from "vitest";
import { definePlugin, GatewayError, type RequestContext } from "../../core/index.ts";
import { fallback, route } from "../../plugins/index.ts";
import { mock } from "../../providers/mock.ts";
import type { ProviderAdapter } from "../../core/provider.ts";
import { createTestGateway } from "../../testing/index.ts";

const ask = { model: "plan", input: "x", dimensions: 2 };

/** A provider that fails every call with a retryable 503 and counts the calls. */
function failing(): ProviderAdapter & { calls: number } {
  const provider = {
    ...mock(),
    calls: 0,
    async send() {
      provider.calls++;
      throw new GatewayError({ status: 503, message: "down", code: "upstream_error", fault: "provider", retryable: true });
    },
  };
  return provider;
}

describe("the attempt loop", () => {
  it("passes over targets an onAttempt hook skips, without counting them as attempts", async () => {
    const seen: RequestContext[] = [];
    const gateway = await createTestGateway({
      providers: { a: mock(), b: mock(), c: mock() },
      plugins: [
        route({ models: { plan: ["a", "b", "c"].map((provider) => ({ provider, model: "m" })) } }),
        definePlugin({ name: "skipper", onAttempt: async (_ctx, attempt) => (attempt.target.provider === "c" ? undefined : "skip") }),
        definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
      ],
    });
    const res = await gateway.post("/v1/embeddings", ask);
    expect(res.headers.get("x-switchyard-provider")).toBe("c");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    await gateway.drain(1000);
    expect(seen[0].attempts.map((a) => [a.index, a.target.provider, a.outcome])).toEqual([
      [0, "a", "skipped"],
      [1, "b", "skipped"],
      [2, "c", "ok"],
    ]);
  });

  it("answers 503 no_target_available when every target is skipped, and the last error when one was tried", async () => {
    const down = failing();
    const gateway = await createTestGateway({
      providers: { a: down, b: mock() },
      plugins: [
        route({ models: { plan: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }] } }),
        definePlugin({ name: "skipper", onAttempt: (ctx, attempt) => (attempt.target.provider === "b" || ctx.request.headers.has("x-skip-all") ? "skip" : undefined) }),
        fallback({ retries: 0 }),
      ],
    });
    const none = await gateway.post("/v1/embeddings", ask, { "x-skip-all": "1" });
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ error: { code: "no_target_available", type: "api_error" } });
    const tried = await gateway.post("/v1/embeddings", ask);
    expect(tried.status).toBe(503);
    expect((await tried.json()).error.message).toBe("down");
    expect(tried.headers.get("x-switchyard-attempts")).toBe("1");
  });

  it("keeps limits.maxAttempts as a hard cap whatever the plugins decide", async () => {
    const down = failing();
    const gateway = await createTestGateway({
      providers: { a: down },
      limits: { maxAttempts: 3 },
      plugins: [definePlugin({ name: "always-retry", onAttemptError: () => ({ action: "retry" }) })],
    });
    const res = await gateway.post("/v1/embeddings", { ...ask, model: "a/m" });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(down.calls).toBe(3);
  });

  it("cannot loop for ever on an onAttempt hook that throws and a plugin that always retries", async () => {
    const gateway = await createTestGateway({
      limits: { maxAttempts: 4 },
      plugins: [
        definePlugin({ name: "broken", onAttempt: () => { throw new Error("bug"); } }),
        definePlugin({ name: "always-retry", onAttemptError: () => ({ action: "retry" }) }),
      ],
    });
    const res = await gateway.post("/v1/embeddings", { ...ask, model: "mock/m" });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-switchyard-attempts")).toBe("4");
  });
});

describe("fallback decisions", () => {
  const hook = (options: Parameters<typeof fallback>[0]) => fallback(options).onAttemptError as (...args: unknown[]) => { action: string; delayMs?: number };
  const target = { provider: "a", model: "m" };
  const other = { provider: "b", model: "m" };
  const error = (extra: Record<string, unknown> = {}) => ({ status: 503, code: "upstream_error", fault: "provider", retryAfterMs: undefined, ...extra });
  /** A context whose attempts so far went to these targets (the last is the one that failed). */
  const ctxWith = (tried: object[], plan: object[] = [target, other]) =>
    ({ targets: plan, attempts: tried.map((t) => ({ target: t, outcome: "error" })) }) as unknown as RequestContext;

  it("backs off exponentially with full jitter, within the cap", () => {
    const decide = hook({ retries: 10, budget: 20, backoff: { baseMs: 100, maxMs: 1000 }, random: () => 0.999 });
    const delays = [1, 2, 3, 4, 5, 6].map((n) => decide(ctxWith(Array(n).fill(target)), { target }, error()).delayMs!);
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
    const low = hook({ retries: 10, budget: 20, random: () => 0 });
    expect(low(ctxWith([target]), { target }, error())).toEqual({ action: "retry", delayMs: 0 });
  });

  it("uses Retry-After up to its cap, then moves on", () => {
    const decide = hook({ retries: 1, backoff: { retryAfterMaxMs: 2000 } });
    expect(decide(ctxWith([target]), { target }, error({ status: 429, retryAfterMs: 1500 }))).toEqual({ action: "retry", delayMs: 1500 });
    expect(decide(ctxWith([target]), { target }, error({ status: 429, retryAfterMs: 2500 }))).toEqual({ action: "next" });
  });

  it("moves to the next target after its retries, and fails after the last target or the budget", () => {
    const decide = hook({ retries: 1, budget: 3 });
    expect(decide(ctxWith([target, target]), { target }, error()).action).toBe("next");
    expect(decide(ctxWith([target, target, other]), { target: other }, error()).action).toBe("fail");
    expect(decide(ctxWith([other, other], [other]), { target: other }, error()).action).toBe("fail");
  });

  it("sends rejected provider credentials to the next target, never the same one", () => {
    const decide = hook({ retries: 3 });
    expect(decide(ctxWith([target]), { target }, error({ status: 502, code: "upstream_auth_failed", fault: "gateway" })).action).toBe("next");
  });

  it("fails on the request's own errors and on plugin bugs", () => {
    const decide = hook({ retries: 3, on: [400, 500, "5xx"] });
    expect(decide(ctxWith([target]), { target }, error({ status: 400, code: "upstream_rejected", fault: "client" })).action).toBe("fail");
    expect(decide(ctxWith([target]), { target }, error({ status: 500, code: "internal_error", fault: "gateway" })).action).toBe("fail");
  });

  it("judges timeouts and network errors by kind, not by their status", () => {
    const only502 = hook({ on: [502, 504] });
    expect(only502(ctxWith([target]), { target }, error({ status: 502, code: "upstream_unreachable" })).action).toBe("fail");
    expect(only502(ctxWith([target]), { target }, error({ status: 504, code: "upstream_timeout" })).action).toBe("fail");
    const kinds = hook({ on: ["network", "timeout"] });
    expect(kinds(ctxWith([target]), { target }, error({ status: 502, code: "upstream_unreachable" })).action).toBe("retry");
    expect(kinds(ctxWith([target]), { target }, error({ status: 504, code: "upstream_timeout" })).action).toBe("retry");
  });
});
