import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CounterStore } from "../../core/counter-store.ts";
import { StoreUnavailableError } from "../../core/counter-store.ts";
import { PluginChainError } from "../../core/plugin-chain.ts";
import { auth, rateLimit } from "../../plugins/index.ts";
import { formatReset } from "../../plugins/rate-limit/headers.ts";
import { openai } from "../../providers/index.ts";
import { mock } from "../../providers/mock.ts";
import { memoryStore } from "../../stores/index.ts";
import { createTestGateway, readSSE } from "../../testing/index.ts";
import { captureCompleted, chat, type RunningUpstream, startUpstream } from "../helpers/upstream.ts";

const KEYS = [
  { id: "a1", key: "sk-a1-0123456789", team: "alpha" },
  { id: "a2", key: "sk-a2-0123456789", team: "alpha" },
  { id: "b1", key: "sk-b1-0123456789", team: "beta" },
];
const as = (id: string) => ({ authorization: `Bearer sk-${id}-0123456789` });
const ask = (content = "hi", extra: Record<string, unknown> = {}) => ({ model: "mock/m", ...chat(content, extra) });

describe("rateLimit", () => {
  it("allows rpm requests, then answers 429 with Retry-After and OpenAI's x-ratelimit headers", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", rpm: 3 })] });
    for (let i = 0; i < 3; i++) {
      const res = await gw.post("/v1/chat/completions", ask());
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit-requests")).toBe("3");
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe(String(2 - i));
      expect(res.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?s$/);
    }
    const res = await gw.post("/v1/chat/completions", ask());
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded", param: null });
    expect(body.error.message).toMatch(/Rate limit reached for this gateway on requests per min \(RPM\): Limit 3, Used 3, Requested 1\. Please try again in/);
  });

  it("counts per key, per team and per model separately, as separate plugins", async () => {
    const gw = await createTestGateway({
      plugins: [auth({ keys: KEYS }), rateLimit({ per: "key", rpm: 2 }), rateLimit({ per: "team", rpm: 3 }), rateLimit({ per: "model", rpm: 100 })],
    });
    const status = async (id: string) => (await gw.post("/v1/chat/completions", ask(), as(id))).status;
    expect([await status("a1"), await status("a1"), await status("a1")]).toEqual([200, 200, 429]); // key a1: 2 per minute
    expect([await status("a2"), await status("a2")]).toEqual([200, 429]); // team alpha: 3 per minute, 2 used by a1
    expect([await status("b1"), await status("b1")]).toEqual([200, 200]); // team beta is its own bucket
    const plugins = gw.plugins.map((p) => p.name);
    expect(plugins).toEqual(expect.arrayContaining(["rate-limit:key", "rate-limit:team", "rate-limit:model"]));
  });

  it("shows the tightest limit's headers when several apply", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", rpm: 100 }), rateLimit({ per: "model", rpm: 5 })] });
    const res = await gw.post("/v1/chat/completions", ask());
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("5");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("4");
  });

  it("shows the limit that refused the request, not a looser one that passed it", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", rpm: 100 }), rateLimit({ per: "model", rpm: 1 })] });
    expect((await gw.post("/v1/chat/completions", ask())).status).toBe(200);
    const res = await gw.post("/v1/chat/completions", ask());
    expect(res.status).toBe(429);
    expect(res.headers.get("x-ratelimit-limit-requests")).toBe("1");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  });

  it("rejects two limiters with one name at build time", async () => {
    await expect(createTestGateway({ plugins: [rateLimit({ per: "key", rpm: 1 }), rateLimit({ per: "key", tpm: 10 })] })).rejects.toThrow(PluginChainError);
    expect(() => rateLimit({ per: "global" })).toThrow(/at least one of rpm, tpm or concurrent/);
    // Per key or team, the keys' and teams' own records may carry all the limits.
    expect(() => rateLimit({ per: "key" })).not.toThrow();
    expect(() => rateLimit({ per: "user" as never, rpm: 1 })).toThrow(/options.per/);
    expect(() => rateLimit({ per: "key", rpm: 1.5 })).toThrow(/rpm must be a positive integer/);
  });

  it("refuses a request whose estimate alone exceeds the tpm limit, telling clients not to retry", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", tpm: 100 })] });
    const res = await gw.post("/v1/chat/completions", ask("x".repeat(1000)));
    expect(res.status).toBe(429);
    expect(res.headers.get("x-should-retry")).toBe("false");
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
    expect(body.error.message).toContain("Request too large");
  });

  it("does not count GET /v1/models", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", rpm: 1 })] });
    for (let i = 0; i < 3; i++) expect((await gw.request("/v1/models")).status).toBe(200);
    expect((await gw.post("/v1/chat/completions", ask())).status).toBe(200);
  });

  it("formats reset times the way OpenAI does", () => {
    expect(formatReset(0)).toBe("0ms");
    expect(formatReset(12.2)).toBe("13ms");
    expect(formatReset(1000)).toBe("1s");
    expect(formatReset(1500)).toBe("1.5s");
    expect(formatReset(17_280)).toBe("17.28s");
    expect(formatReset(360_000)).toBe("6m0s");
    expect(formatReset(3_723_000)).toBe("1h2m3s");
  });
});

describe("rateLimit tokens per minute, corrected from real usage", () => {
  let running: RunningUpstream;
  beforeAll(async () => {
    // A long fixed reply: the upstream reports ~250 completion tokens the estimate cannot foresee.
    running = await startUpstream({ reply: "word ".repeat(200) });
  });
  afterAll(() => running.close());

  const gateway = (tpm: number, extra: Parameters<typeof rateLimit>[0] extends infer O ? Partial<O> : never = {}) =>
    createTestGateway({
      providers: { up: openai({ baseURL: running.baseURL }) },
      // A frozen clock: tokens never refill between requests, however slowly a loaded machine runs them.
      plugins: [rateLimit({ per: "global", tpm, store: memoryStore({ now: () => 1_700_000_000_000 }), ...extra })],
    });
  const remainingTokens = (res: Response) => Number(res.headers.get("x-ratelimit-remaining-tokens"));

  it("charges the real usage after the response, so later requests see it", async () => {
    const gw = await gateway(1000);
    const first = await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello") });
    expect(first.status).toBe(200);
    const usage = (await first.json()).usage;
    expect(usage.total_tokens).toBeGreaterThan(250);
    const estimateLeft = remainingTokens(first);
    // The estimate for "hello" is a handful of tokens.
    expect(estimateLeft).toBeGreaterThan(980);
    await gw.drain(1000);

    const second = await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello") });
    expect(second.status).toBe(200);
    // Now the first request's real total is charged; a few tokens may have refilled (1000 per minute).
    const charged = 1000 - remainingTokens(second);
    expect(charged).toBeGreaterThanOrEqual(usage.total_tokens);
    expect(charged).toBeLessThanOrEqual(usage.total_tokens + 40);
    await gw.drain(1000);

    // Estimates alone (~5 tokens each) would allow ~200 requests. With real usage, a request fits
    // while what earlier ones really used plus its own estimate stays within 1000.
    const expected = Math.floor((1000 - 10) / usage.total_tokens) + 1;
    expect(expected).toBeLessThan(6);
    let allowed = 2;
    for (let i = 0; i < 5; i++) {
      const res = await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello") });
      await gw.drain(1000);
      if (res.status !== 200) {
        expect(res.status).toBe(429);
        expect((await res.json()).error.type).toBe("tokens");
        break;
      }
      allowed++;
    }
    expect(allowed).toBe(expected);
  });

  it("counts streamed usage too", async () => {
    const gw = await gateway(100_000);
    const res = await gw.post("/v1/chat/completions", { model: "up/m", stream: true, ...chat("hello") });
    const events = await readSSE(res);
    expect(events.length).toBeGreaterThan(3);
    await gw.drain(1000);
    const next = await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello") });
    expect(100_000 - remainingTokens(next)).toBeGreaterThan(250);
  });

  it("gives back tokens reserved by max_tokens that were not used", async () => {
    const gw = await createTestGateway({ plugins: [rateLimit({ per: "global", tpm: 1000 })] });
    // Each request reserves 600 tokens up front, and uses about 30.
    for (let i = 0; i < 5; i++) {
      const res = await gw.post("/v1/chat/completions", ask("hello", { max_tokens: 600 }));
      expect(res.status).toBe(200);
      await gw.drain(1000);
    }
  });

  it("gives the estimate back when the upstream fails", async () => {
    running.upstream.fail({ status: 500 }, { status: 500 });
    const gw = await gateway(1000);
    for (let i = 0; i < 2; i++) {
      expect((await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello", { max_tokens: 900 }) })).status).toBe(500);
      await gw.drain(1000);
    }
    const res = await gw.post("/v1/chat/completions", { model: "up/m", ...chat("hello", { max_tokens: 900 }) });
    expect(res.status).toBe(200);
  });
});

describe("rateLimit concurrency", () => {
  it("holds a slot per request in flight and releases it on completion, error and abort", async () => {
    let gateOpen!: () => void;
    let gate = new Promise<void>((r) => (gateOpen = r));
    const slow = mock();
    const provider = {
      ...slow,
      async send(call: Parameters<typeof slow.send>[0]) {
        await gate;
        return slow.send(call);
      },
    };
    const gw = await createTestGateway({ providers: { mock: provider }, plugins: [rateLimit({ per: "global", concurrent: 2 })] });
    const first = gw.post("/v1/chat/completions", ask());
    const second = gw.post("/v1/chat/completions", ask());
    await new Promise((r) => setTimeout(r, 20));
    const third = await gw.post("/v1/chat/completions", ask());
    expect(third.status).toBe(429);
    expect((await third.json()).error.message).toMatch(/Too many concurrent requests for this gateway: limit 2/);
    gateOpen();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    await gw.drain(1000);
    expect((await gw.post("/v1/chat/completions", ask())).status).toBe(200);
    await gw.drain(1000);

    // A client that goes away mid-request gives its slot back.
    gate = new Promise<void>((r) => (gateOpen = r));
    const controllers = [new AbortController(), new AbortController()];
    const pending = controllers.map((c) =>
      gw.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ask()), signal: c.signal }).catch((e) => e),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect((await gw.post("/v1/chat/completions", ask())).status).toBe(429);
    for (const c of controllers) c.abort();
    gateOpen();
    await Promise.all(pending);
    await gw.drain(1000);
    expect((await gw.post("/v1/chat/completions", ask())).status).toBe(200);
  });

  it("releases the slot when a later plugin refuses the request", async () => {
    const gw = await createTestGateway({
      plugins: [rateLimit({ per: "global", concurrent: 1 }), { name: "refuse", onRequest: () => new Response("no", { status: 418 }) }],
    });
    for (let i = 0; i < 3; i++) {
      expect((await gw.post("/v1/chat/completions", ask())).status).toBe(418);
      await gw.drain(1000);
    }
  });
});

describe("rateLimit when the store fails", () => {
  function brokenStore(): CounterStore & { calls: number } {
    const fail = () => {
      broken.calls++;
      return Promise.reject(new StoreUnavailableError("broken", "connection refused"));
    };
    const broken = { kind: "broken", calls: 0, consume: fail, adjust: fail, increment: fail, get: fail, acquire: fail, release: fail };
    return broken;
  }

  it("lets requests through when failing open, and counts it", async () => {
    const limiter = rateLimit({ per: "global", rpm: 1, tpm: 1000, concurrent: 1, store: brokenStore() });
    const gw = await createTestGateway({ plugins: [limiter] });
    for (let i = 0; i < 3; i++) expect((await gw.post("/v1/chat/completions", ask())).status).toBe(200);
    expect(limiter.stats()).toMatchObject({ failedOpen: 3, failedClosed: 0 });
    expect(gw.reported).toEqual([]);
  });

  it("answers 503 limits_unavailable (never 500) when failing closed", async () => {
    const limiter = rateLimit({ per: "global", rpm: 1, store: brokenStore(), failOpen: false });
    const gw = await createTestGateway({ plugins: [limiter] });
    const res = await gw.post("/v1/chat/completions", ask());
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "limits_unavailable", type: "service_unavailable_error" });
    expect(limiter.stats()).toMatchObject({ failedClosed: 1 });
    expect(gw.reported).toEqual([]);
  });

  it("keeps a synchronous store synchronous (no promise on the request path)", () => {
    const store = memoryStore();
    const decision = store.consume("k", { limit: 1, windowMs: 1000 }, 1);
    expect(decision).not.toBeInstanceOf(Promise);
  });
});
