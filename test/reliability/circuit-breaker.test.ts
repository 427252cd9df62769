import { describe, expect, it } from "vitest";
import { circuitBreaker, type CircuitChange, fallback, route } from "../../plugins/index.ts";
import { readSSE } from "../../testing/index.ts";
import { chat, gatewayWithUpstreams, settled } from "./helpers.ts";

/** A clock the test moves by hand, so cooldowns take no real time. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const fastRoute = () => route({ models: { fast: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }] } });

describe("circuit breaker", () => {
  it("opens after consecutive failures, stops sending traffic, probes after the cooldown, and closes", async () => {
    const clock = manualClock();
    const changes: CircuitChange[] = [];
    const breaker = circuitBreaker({ failures: 3, cooldownMs: 1_000, clock: clock.now, onStateChange: (c) => changes.push(c) });
    const { gateway, up, seen } = await gatewayWithUpstreams(["a", "b"], [fastRoute(), fallback({ retries: 0 }), breaker]);
    up.a.fail({ status: 500 }, { status: 500 }, { status: 500 });

    for (let i = 0; i < 3; i++) {
      const res = await gateway.post("/v1/chat/completions", chat("fast"));
      expect(res.headers.get("x-switchyard-provider")).toBe("b");
      expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    }
    expect(breaker.state("a", "m")).toBe("open");
    expect(breaker.state("b", "m")).toBe("closed");
    expect(up.a.calls).toHaveLength(3);

    // Open: the failing target gets no traffic at all, and the skip costs no attempt.
    for (let i = 0; i < 5; i++) {
      const res = await gateway.post("/v1/chat/completions", chat("fast"));
      expect(res.headers.get("x-switchyard-provider")).toBe("b");
      expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    }
    expect(up.a.calls).toHaveLength(3);
    await settled(gateway);
    expect(seen.at(-1)!.attempts.map((a) => [a.target.provider, a.outcome, a.errorCode])).toEqual([
      ["a", "skipped", "circuit_open"],
      ["b", "ok", null],
    ]);
    expect(seen.at(-1)!.vars.circuitSkipped).toEqual(["a/m"]);

    // Cooled down: one probe goes to the (now healthy) target, and its success closes the circuit.
    clock.advance(1_000);
    expect(breaker.state("a", "m")).toBe("half-open");
    const probe = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(probe.headers.get("x-switchyard-provider")).toBe("a");
    await settled(gateway);
    expect(breaker.state("a", "m")).toBe("closed");
    expect((await gateway.post("/v1/chat/completions", chat("fast"))).headers.get("x-switchyard-provider")).toBe("a");
    expect(up.a.calls).toHaveLength(5);

    expect(changes.map((c) => `${c.provider}/${c.model} ${c.from}->${c.to}`)).toEqual(["a/m closed->open", "a/m open->half-open", "a/m half-open->closed"]);
    expect(changes[0].reason).toBe("3 consecutive failures");
  });

  it("lets one probe through at a time, and a failed probe opens the circuit again", async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ failures: 1, cooldownMs: 500, clock: clock.now });
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute(), fallback({ retries: 0 }), breaker]);
    up.a.fail({ status: 502 });
    await gateway.post("/v1/chat/completions", chat("fast"));
    expect(breaker.state("a", "m")).toBe("open");

    clock.advance(500);
    // The probe is slow and fails; while it is out, a second request does not probe too.
    up.a.fail({ status: 503, delayMs: 60 });
    const probing = gateway.post("/v1/chat/completions", chat("fast"));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const during = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(during.headers.get("x-switchyard-attempts")).toBe("1");
    expect(during.headers.get("x-switchyard-provider")).toBe("b");
    const probed = await probing;
    expect(probed.headers.get("x-switchyard-provider")).toBe("b");
    expect(probed.headers.get("x-switchyard-attempts")).toBe("2");
    expect(up.a.calls).toHaveLength(2);
    expect(breaker.state("a", "m")).toBe("open");
    expect(breaker.snapshot().find((s) => s.provider === "a")).toMatchObject({ state: "open", retryInMs: 500 });
  });

  it("opens on the error rate over its window", async () => {
    const clock = manualClock();
    const breaker = circuitBreaker({ failures: 0, errorRate: 0.5, minRequests: 4, windowMs: 10_000, clock: clock.now });
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute(), fallback({ retries: 0 }), breaker]);
    // fail, ok, fail, ok: 50% over 4 requests, never two failures in a row.
    up.a.fail({ status: 500 });
    await gateway.post("/v1/chat/completions", chat("fast"));
    await gateway.post("/v1/chat/completions", chat("fast"));
    await settled(gateway);
    up.a.fail({ status: 500 });
    await gateway.post("/v1/chat/completions", chat("fast"));
    expect(breaker.state("a", "m")).toBe("closed");
    await gateway.post("/v1/chat/completions", chat("fast"));
    await settled(gateway);
    expect(breaker.state("a", "m")).toBe("closed");
    expect(breaker.snapshot()[0]).toMatchObject({ requests: 4, failures: 2, consecutiveFailures: 0 });
    up.a.fail({ status: 500 });
    await gateway.post("/v1/chat/completions", chat("fast"));
    expect(breaker.state("a", "m")).toBe("open");
    // Outcomes older than the window no longer count.
    clock.advance(20_000);
    expect(breaker.snapshot()[0]).toMatchObject({ requests: 0, failures: 0 });
  });

  it("counts a stream that broke after it began as a failure, and a 4xx as a sign of life", async () => {
    const breaker = circuitBreaker({ failures: 2, cooldownMs: 60_000 });
    const { gateway, up } = await gatewayWithUpstreams(["a"], [breaker]);
    up.a.fail({ cutAfterEvents: 1 });
    await readSSE(await gateway.post("/v1/chat/completions", chat("a/m", { stream: true })));
    await settled(gateway);
    expect(breaker.snapshot()[0]).toMatchObject({ consecutiveFailures: 1 });
    up.a.fail({ status: 400 });
    expect((await gateway.post("/v1/chat/completions", chat("a/m"))).status).toBe(400);
    expect(breaker.snapshot()[0]).toMatchObject({ consecutiveFailures: 0, state: "closed" });
  });

  it("fails fast with 503 when every target's circuit is open", async () => {
    const breaker = circuitBreaker({ failures: 1, cooldownMs: 60_000 });
    const { gateway, up } = await gatewayWithUpstreams(["a"], [breaker]);
    up.a.fail({ status: 500 });
    expect((await gateway.post("/v1/chat/completions", chat("a/m"))).status).toBe(500);
    const res = await gateway.post("/v1/chat/completions", chat("a/m"));
    expect(res.status).toBe(503);
    expect(res.headers.get("x-switchyard-attempts")).toBeNull();
    expect((await res.json()).error.code).toBe("no_target_available");
    expect(up.a.calls).toHaveLength(1);
  });

  it("moves a retry to the next target once the circuit opens mid-request", async () => {
    const breaker = circuitBreaker({ failures: 1, cooldownMs: 60_000 });
    const { gateway, up } = await gatewayWithUpstreams(["a", "b"], [fastRoute(), fallback({ retries: 3, backoff: { baseMs: 1 } }), breaker]);
    up.a.fail({ status: 500 }, { status: 500 });
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
    expect(res.headers.get("x-switchyard-attempts")).toBe("2");
    expect(up.a.calls).toHaveLength(1);
  });

  it("checks its options", () => {
    expect(() => circuitBreaker({ errorRate: 2 })).toThrow("errorRate must be between 0 and 1");
    expect(() => circuitBreaker({ failures: 0, errorRate: 0 })).toThrow("cannot both be 0");
    expect(() => circuitBreaker({ cooldownMs: 0 })).toThrow("cooldownMs must be a number >= 1");
  });
});
