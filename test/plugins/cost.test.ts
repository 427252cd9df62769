import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Usage } from "../../core/types.ts";
import { cost, COST_HEADER, PRICES, PRICES_CHECKED, requestCost } from "../../plugins/index.ts";
import { formatUsd } from "../../plugins/cost/compute.ts";
import { openai } from "../../providers/index.ts";
import { createTestGateway, readSSE } from "../../testing/index.ts";
import { captureCompleted, chat, type RunningUpstream, startUpstream } from "../helpers/upstream.ts";

const usage = (u: Partial<Usage>): Usage => ({ inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...u });
const NOW = Date.parse("2026-11-25T12:00:00Z");

describe("requestCost", () => {
  it("bills uncached input, cached input, output and reasoning at their own rates", () => {
    const price = { input: 2, cachedInput: 0.2, output: 10, reasoning: 20 };
    // 1M input of which 250k cached, 100k output of which 40k reasoning
    const usd = requestCost(price, usage({ inputTokens: 1_000_000, cachedTokens: 250_000, outputTokens: 100_000, reasoningTokens: 40_000 }), NOW);
    expect(usd).toBeCloseTo(0.75 * 2 + 0.25 * 0.2 + 0.06 * 10 + 0.04 * 20, 10);
  });

  it("bills cached tokens at the input rate and reasoning at the output rate when no separate rate is published", () => {
    expect(requestCost({ input: 1, output: 4 }, usage({ inputTokens: 500_000, cachedTokens: 500_000, outputTokens: 250_000, reasoningTokens: 250_000 }), NOW)).toBeCloseTo(0.5 + 1, 10);
  });

  it("bills cache writes at their own rate, Anthropic's at 1.25x input by default", () => {
    const sonnet = PRICES["claude-sonnet-4-5"];
    expect(sonnet.cacheWrite).toBe(3.75);
    // 1M input: 200K read from the cache, 300K written to it, 500K plain; 10K output.
    const usd = requestCost(sonnet, usage({ inputTokens: 1_000_000, cachedTokens: 200_000, cacheWriteTokens: 300_000, outputTokens: 10_000 }), NOW);
    expect(usd).toBeCloseTo(0.5 * 3 + 0.2 * 0.3 + 0.3 * 3.75 + 0.01 * 15, 10);
    expect(requestCost({ input: 2, output: 4 }, usage({ inputTokens: 1_000_000, cacheWriteTokens: 1_000_000 }), NOW)).toBeCloseTo(2, 10);
  });

  it("switches the whole request to long-context rates above the threshold", () => {
    const price = PRICES["gpt-6-sol"];
    expect(requestCost(price, usage({ inputTokens: 272_000, outputTokens: 1000 }), NOW)).toBeCloseTo(0.272 * 2 + 0.001 * 10, 10);
    expect(requestCost(price, usage({ inputTokens: 272_001, outputTokens: 1000 }), NOW)).toBeCloseTo(0.272001 * 4 + 0.001 * 15, 10);
  });

  it("applies a scheduled price change from its date", () => {
    const price = PRICES["gemini-3.8-flash"];
    const u = usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 });
    expect(requestCost(price, u, Date.parse("2026-12-31T23:59:59Z"))).toBeCloseTo(0.75 + 3.75, 10);
    expect(requestCost(price, u, Date.parse("2027-01-01T00:00:00Z"))).toBeCloseTo(1.5 + 7.5, 10);
  });

  it("formats costs as plain decimals", () => {
    expect(formatUsd(0)).toBe("0");
    expect(formatUsd(0.000123456789)).toBe("0.000123457");
    expect(formatUsd(1.5)).toBe("1.5");
    expect(formatUsd(1e-9)).toBe("0.000000001");
  });

  it("formats any cost as a plain decimal of six significant digits and at most twelve decimals", () => {
    /** The fixed-point reading of the same rounding, which the header has always carried. */
    const fixedPoint = (usd: number): string => Number(usd.toPrecision(6)).toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
    fc.assert(
      fc.property(fc.double({ min: 1e-15, max: 1e6, noNaN: true }), (usd) => {
        const text = formatUsd(usd);
        expect(text).toMatch(/^\d+(\.\d{1,12})?$/);
        // Above that, the fixed-point pass could show the binary's noise in the twelfth decimal.
        if (usd < 1000) expect(text).toBe(fixedPoint(usd));
        else expect(Number(text)).toBe(Number(usd.toPrecision(6)));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("the shipped price table", () => {
  it("covers OpenAI, Anthropic, Google, Amazon (Bedrock) and Mistral, every entry sourced and sane", () => {
    expect(PRICES_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const vendors = new Set(Object.values(PRICES).map((p) => p.vendor));
    expect([...vendors].sort()).toEqual(["anthropic", "aws", "google", "mistral", "openai"]);
    for (const [model, p] of Object.entries(PRICES)) {
      expect(p.source.length, model).toBeGreaterThan(10);
      for (const rates of [p, p.longContext, p.scheduled]) {
        if (rates === undefined) continue;
        expect(rates.input, model).toBeGreaterThanOrEqual(0);
        expect(rates.output, model).toBeGreaterThanOrEqual(0);
        if (rates.cachedInput !== undefined) expect(rates.cachedInput, model).toBeLessThanOrEqual(rates.input);
      }
    }
  });
});

describe("cost plugin", () => {
  let running: RunningUpstream;
  beforeAll(async () => {
    running = await startUpstream({ reply: "A reply of a known length for pricing." });
  });
  afterAll(() => running.close());

  const gateway = (options: Parameters<typeof cost>[0] = {}) => {
    const capture = captureCompleted();
    return createTestGateway({
      providers: { oa: openai({ baseURL: running.baseURL }), local: openai({ baseURL: running.baseURL }) },
      plugins: [cost(options), capture],
    }).then((gw) => ({ gw, capture }));
  };
  const expected = (model: string, u: { prompt_tokens: number; completion_tokens: number }) =>
    requestCost(PRICES[model], usage({ inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens }), Date.now());

  it("prices a JSON response from its usage, in a header and on ctx.vars.costUsd", async () => {
    const { gw, capture } = await gateway();
    const res = await gw.post("/v1/chat/completions", { model: "oa/gpt-6-sol", ...chat("What does this cost?") });
    expect(res.status).toBe(200);
    const body = await res.json();
    const usd = expected("gpt-6-sol", body.usage);
    expect(usd).toBeGreaterThan(0);
    expect(Number(res.headers.get(COST_HEADER))).toBeCloseTo(usd, 9);
    await gw.drain(1000);
    expect(capture.completed[0].vars.costUsd).toBeCloseTo(usd, 12);
  });

  it("prices a stream when it ends, from usage the gateway asks for even when the client did not", async () => {
    const { gw, capture } = await gateway();
    const asked = await gw.post("/v1/chat/completions", { model: "oa/claude-sonnet-5", stream: true, stream_options: { include_usage: true }, ...chat("Stream me") });
    expect(asked.headers.get(COST_HEADER)).toBeNull();
    const events = (await readSSE(asked)) as { usage?: { prompt_tokens: number; completion_tokens: number } }[];
    const reported = events.find((e) => e.usage)?.usage;
    expect(reported).toBeDefined();
    const silent = await gw.post("/v1/chat/completions", { model: "oa/claude-sonnet-5", stream: true, ...chat("Stream me") });
    expect((await readSSE(silent)).some((e) => (e as { usage?: unknown }).usage)).toBe(false);
    await gw.drain(1000);
    const usd = expected("claude-sonnet-5", reported!);
    expect(usd).toBeGreaterThan(0);
    expect(capture.completed.map((c) => c.vars.costUsd)).toEqual([usd, usd]);
  });

  it("finds dated snapshots under their model's price", async () => {
    const { gw } = await gateway();
    const res = await gw.post("/v1/chat/completions", { model: "oa/claude-haiku-4-5-20251001", ...chat("hi") });
    const body = await res.json();
    expect(Number(res.headers.get(COST_HEADER))).toBeCloseTo(expected("claude-haiku-4-5", body.usage), 9);
  });

  it("gives an unknown model cost null and reports it once, never a silent 0", async () => {
    const { gw, capture } = await gateway();
    for (let i = 0; i < 3; i++) {
      const res = await gw.post("/v1/chat/completions", { model: "oa/some-new-model", ...chat("hi") });
      expect(res.status).toBe(200);
      expect(res.headers.get(COST_HEADER)).toBeNull();
    }
    await gw.drain(1000);
    expect(capture.completed.map((c) => c.vars.costUsd)).toEqual([null, null, null]);
    const warnings = gw.reported.filter((e) => e.message.includes("some-new-model"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('cost({ prices: { "oa/some-new-model"');
  });

  it("takes overrides by model and by provider/model, the latter first", async () => {
    const { gw } = await gateway({
      prices: { "gpt-6-sol": { input: 1000, output: 0 }, "local/gpt-6-sol": { input: 0, output: 0 }, "llama3.1": { input: 0.5, output: 0.5 } },
    });
    const paid = await gw.post("/v1/chat/completions", { model: "oa/gpt-6-sol", ...chat("hi") });
    const { usage: u } = await paid.json();
    expect(Number(paid.headers.get(COST_HEADER))).toBeCloseTo((u.prompt_tokens * 1000) / 1e6, 9);
    expect((await gw.post("/v1/chat/completions", { model: "local/gpt-6-sol", ...chat("hi") })).headers.get(COST_HEADER)).toBe("0");
    expect(Number((await gw.post("/v1/chat/completions", { model: "local/llama3.1", ...chat("hi") })).headers.get(COST_HEADER))).toBeGreaterThan(0);
    expect(() => cost({ prices: { bad: { input: -1, output: 1 } } })).toThrow(/input must be a number >= 0/);
  });

  it("costs 0 when no provider answered, and 0 on the built-in mock provider", async () => {
    running.upstream.fail({ status: 400 });
    const { gw, capture } = await gateway();
    expect((await gw.post("/v1/chat/completions", { model: "oa/gpt-6-sol", ...chat("hi") })).status).toBe(400);
    await gw.drain(1000);
    expect(capture.completed[0].vars.costUsd).toBe(0);

    const local = await createTestGateway({ plugins: [cost()] });
    const res = await local.post("/v1/chat/completions", { model: "mock/anything", ...chat("hi") });
    expect(res.headers.get(COST_HEADER)).toBe("0");
    expect(local.reported).toEqual([]);
  });
});
