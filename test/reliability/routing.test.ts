import { describe, expect, it } from "vitest";
import { definePlugin, type RequestContext } from "../../core/index.ts";
import { auth, route, type RouteOptions } from "../../plugins/index.ts";
import { mock } from "../../providers/mock.ts";
import { createTestGateway, readSSE } from "../../testing/index.ts";
import { seeded, settled } from "./helpers.ts";

const ask = (model: string, extra: Record<string, unknown> = {}) => ({ model, input: "x", dimensions: 2, ...extra });
const chatAsk = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: "user", content: "hi" }], ...extra });

/** A gateway on in-process mock providers: routing decisions cost microseconds, so many requests are cheap. */
async function gatewayWith(options: RouteOptions, providers = ["a", "b", "c"], extra: { plugins?: ReturnType<typeof auth>[]; latency?: Record<string, number> } = {}) {
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: Object.fromEntries(providers.map((p) => [p, mock({ latencyMs: extra.latency?.[p] ?? 0, chunkDelayMs: 0 })])),
    plugins: [...(extra.plugins ?? []), route(options), definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) })],
  });
  const servedBy = async (body: unknown, headers?: Record<string, string>): Promise<string> => {
    const res = await gateway.post(body && (body as { messages?: unknown }).messages ? "/v1/chat/completions" : "/v1/embeddings", body, headers);
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return res.headers.get("x-switchyard-provider")!;
  };
  return { gateway, seen, servedBy };
}

function shares(picks: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of picks) out[p] = (out[p] ?? 0) + 1 / picks.length;
  return out;
}

describe("routing strategies", () => {
  it("splits first attempts by weight within a few percent", async () => {
    const { servedBy } = await gatewayWith({
      models: { w: { strategy: "weighted", targets: [{ provider: "a", model: "m", weight: 6 }, { provider: "b", model: "m", weight: 3 }, { provider: "c", model: "m", weight: 1 }] } },
      random: seeded(42),
    });
    const picks: string[] = [];
    for (let i = 0; i < 4000; i++) picks.push(await servedBy(ask("w")));
    const split = shares(picks);
    expect(split.a).toBeCloseTo(0.6, 1);
    expect(Math.abs(split.a - 0.6)).toBeLessThan(0.03);
    expect(Math.abs(split.b - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(split.c - 0.1)).toBeLessThan(0.03);
  });

  it("keeps the rest of the list, in order, as the fallback plan after the weighted pick", async () => {
    const { gateway, seen } = await gatewayWith({
      models: { w: [{ provider: "a", model: "m", weight: 0 }, { provider: "b", model: "m", weight: 1 }, { provider: "c", model: "m", weight: 0 }] },
    });
    await gateway.post("/v1/embeddings", ask("w"));
    await settled(gateway);
    expect(seen[0].targets!.map((t) => t.provider)).toEqual(["b", "a", "c"]);
  });

  it("moves traffic away from a slow target (latency-aware)", async () => {
    const { servedBy } = await gatewayWith(
      { models: { l: { strategy: "latency", targets: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }] } }, latency: { exploration: 0.1 }, random: seeded(7) },
      ["a", "b"],
      { latency: { a: 30, b: 0 } },
    );
    const picks: string[] = [];
    for (let i = 0; i < 60; i++) picks.push(await servedBy(ask("l")));
    // Both are measured first; then the fast one takes everything but the exploration share.
    expect(picks.slice(0, 2).sort()).toEqual(["a", "b"]);
    const later = shares(picks.slice(2));
    expect(later.b).toBeGreaterThan(0.8);
    expect(later.a ?? 0).toBeGreaterThan(0);
  });

  it("notices a target that got slow, through its own requests and exploration", async () => {
    let slowMs = 0;
    const gateway = await createTestGateway({
      // Wide gaps (0 vs 40 ms, then 120 vs 40 ms) so a loaded machine's scheduling stalls cannot flip the EWMA.
      providers: { a: { ...mock(), send: async (call) => { await new Promise((r) => setTimeout(r, slowMs)); return mock().send(call); } }, b: mock({ latencyMs: 40 }) },
      plugins: [route({ models: { l: { strategy: "latency", targets: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }] } }, latency: { exploration: 0.2 }, random: seeded(3) })],
    });
    const served = async () => (await gateway.post("/v1/embeddings", ask("l"))).headers.get("x-switchyard-provider")!;
    for (let i = 0; i < 20; i++) await served();
    const before: string[] = [];
    for (let i = 0; i < 20; i++) before.push(await served());
    expect(shares(before).a).toBeGreaterThan(0.7);
    slowMs = 120;
    for (let i = 0; i < 20; i++) await served();
    const after: string[] = [];
    for (let i = 0; i < 30; i++) after.push(await served());
    expect(shares(after).b).toBeGreaterThan(0.7);
  });

  it("sends the next request to the target with fewer requests in flight", async () => {
    const { gateway, servedBy } = await gatewayWith(
      { models: { q: { strategy: "least-in-flight", targets: [{ provider: "a", model: "m" }, { provider: "b", model: "m" }] } }, random: () => 0 },
      ["a", "b"],
    );
    // An open stream holds one request in flight on `a` until it is read.
    const held = await gateway.post("/v1/chat/completions", chatAsk("q", { stream: true }));
    expect(held.headers.get("x-switchyard-provider")).toBe("a");
    expect(await servedBy(ask("q"))).toBe("b");
    expect(await servedBy(ask("q"))).toBe("b");
    await readSSE(held);
    await settled(gateway);
    expect(await servedBy(ask("q"))).toBe("a");
    const stats = (gateway.plugins.find((p) => p.name === "route") as ReturnType<typeof route>).stats();
    expect(stats.map((s) => [s.provider, s.inFlight])).toEqual([["a", 0], ["b", 0]]);
  });
});

describe("routing rules", () => {
  const rules: RouteOptions = {
    models: {
      smart: {
        targets: [{ provider: "a", model: "default" }],
        rules: [
          { when: { header: { "x-tier": "premium" } }, targets: [{ provider: "b", model: "premium" }] },
          { when: { metadata: { env: ["staging", "dev"] } }, targets: [{ provider: "c", model: "staging" }] },
          { when: { team: "research" }, targets: [{ provider: "c", model: "research" }] },
          { when: { tags: "beta" }, targets: [{ provider: "b", model: "beta" }] },
          { when: { key: "vip", header: { "x-fast": "*" } }, targets: [{ provider: "b", model: "vip-fast" }] },
          { when: (ctx) => (ctx.body?.messages as unknown[] | undefined)?.length === 3, targets: [{ provider: "c", model: "three" }] },
        ],
      },
    },
  };
  const keys = () => auth({
    keys: [
      { id: "plain", key: "sk-plain-000000" },
      { id: "researcher", key: "sk-research-000", team: "research" },
      { id: "tester", key: "sk-tester-00000", tags: ["qa", "beta"] },
      { id: "vip", key: "sk-vip-00000000" },
    ],
  });

  it("picks the first rule whose condition holds, else the alias's own list", async () => {
    const { gateway } = await gatewayWith(rules, ["a", "b", "c"], { plugins: [keys()] });
    const model = async (key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
      const res = await gateway.post("/v1/chat/completions", chatAsk("smart", body), { authorization: `Bearer ${key}`, ...headers });
      return res.headers.get("x-switchyard-model");
    };
    expect(await model("sk-plain-000000")).toBe("default");
    expect(await model("sk-plain-000000", {}, { "x-tier": "premium" })).toBe("premium");
    expect(await model("sk-plain-000000", {}, { "x-tier": "basic" })).toBe("default");
    expect(await model("sk-plain-000000", { metadata: { env: "dev" } })).toBe("staging");
    expect(await model("sk-plain-000000", { metadata: { env: "prod" } })).toBe("default");
    expect(await model("sk-research-000")).toBe("research");
    expect(await model("sk-tester-00000")).toBe("beta");
    expect(await model("sk-vip-00000000")).toBe("default");
    expect(await model("sk-vip-00000000", {}, { "x-fast": "yes" })).toBe("vip-fast");
    expect(await model("sk-plain-000000", { messages: [1, 2, 3].map(() => ({ role: "user", content: "x" })) })).toBe("three");
  });

  it("rejects a bad rule at build time, naming where", async () => {
    const build = (options: RouteOptions) => createTestGateway({ providers: { a: mock() }, plugins: [route(options)] });
    await expect(build({ models: { s: { targets: [{ provider: "a", model: "m" }], rules: [{ when: { colour: "red" } as never, targets: [{ provider: "a", model: "m" }] }] } } })).rejects.toThrow(
      "models.s.rules[0].when.colour is not a known condition",
    );
    await expect(build({ models: { s: { targets: [{ provider: "a", model: "m" }], rules: [{ when: { team: [] }, targets: [{ provider: "a", model: "m" }] }] } } })).rejects.toThrow(
      "models.s.rules[0].when.team must be a string or a non-empty array of strings",
    );
    await expect(build({ models: { s: { targets: [{ provider: "a", model: "m" }], rules: [{ when: { team: "x" }, targets: [] }] } } })).rejects.toThrow(
      "models.s.rules[0].targets must be a non-empty array of targets",
    );
    await expect(build({ models: { s: { targets: [{ provider: "a", model: "m", timeouts: { idleMs: -1 } }] } } })).rejects.toThrow(
      "models.s.targets[0].timeouts.idleMs must be a number of ms > 0",
    );
    await expect(build({ models: { s: { targets: [{ provider: "a", model: "m" }], rules: "no" as never } } })).rejects.toThrow("models.s.rules must be an array");
    expect(() => route({ models: { s: { strategy: "fastest" as never, targets: [] } } })).toThrow("models.s.strategy must be one of ordered, weighted, latency, least-in-flight");
  });
});

describe("regional routing", () => {
  const regional: RouteOptions = {
    models: {
      chat: [
        { provider: "a", model: "m", region: "us" },
        { provider: "b", model: "m", region: "eu" },
        { provider: "c", model: "m", region: "eu" },
      ],
    },
  };
  const keys = () => auth({
    keys: [
      { id: "anyone", key: "sk-anyone-00000" },
      { id: "eu-only", key: "sk-eu-only-0000", region: "eu" },
      { id: "roamer", key: "sk-roamer-00000", region: "eu", regions: ["eu", "us", "ap"] },
    ],
  });

  it("sends a key's requests to its region, and a header to another region the key allows", async () => {
    const { gateway, seen } = await gatewayWith(regional, ["a", "b", "c"], { plugins: [keys()] });
    const call = (key: string, headers: Record<string, string> = {}) =>
      gateway.post("/v1/embeddings", ask("chat"), { authorization: `Bearer ${key}`, ...headers });
    expect((await call("sk-anyone-00000")).headers.get("x-switchyard-provider")).toBe("a");
    expect((await call("sk-anyone-00000", { "x-switchyard-region": "eu" })).headers.get("x-switchyard-provider")).toBe("b");
    expect((await call("sk-eu-only-0000")).headers.get("x-switchyard-provider")).toBe("b");
    expect((await call("sk-roamer-00000", { "x-switchyard-region": "us" })).headers.get("x-switchyard-provider")).toBe("a");
    await settled(gateway);
    // Residency: the plan holds only the region's targets.
    expect(seen[2].targets!.map((t) => t.provider)).toEqual(["b", "c"]);

    const refused = await call("sk-eu-only-0000", { "x-switchyard-region": "us" });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: "region_not_allowed", param: "x-switchyard-region" });
    const nowhere = await call("sk-roamer-00000", { "x-switchyard-region": "ap" });
    expect(nowhere.status).toBe(400);
    expect((await nowhere.json()).error).toMatchObject({ code: "region_unavailable", message: "The model 'chat' has no target in region 'ap'." });
  });

  it("prefers the region and falls back to the others when told to", async () => {
    const { gateway, seen } = await gatewayWith({ ...regional, region: { fallback: "any", header: "x-region" } }, ["a", "b", "c"], { plugins: [keys()] });
    const call = (headers: Record<string, string>) => gateway.post("/v1/embeddings", ask("chat"), { authorization: "Bearer sk-roamer-00000", ...headers });
    expect((await call({ "x-region": "us" })).headers.get("x-switchyard-provider")).toBe("a");
    expect((await call({ "x-region": "ap" })).headers.get("x-switchyard-provider")).toBe("a");
    expect((await call({})).headers.get("x-switchyard-provider")).toBe("b");
    await settled(gateway);
    expect(seen[0].targets!.map((t) => t.provider)).toEqual(["a", "b", "c"]);
    expect(seen[2].targets!.map((t) => t.provider)).toEqual(["b", "c", "a"]);
  });

  it("leaves lists whose targets name no region alone", async () => {
    const { gateway } = await gatewayWith({ models: { plain: [{ provider: "c", model: "m" }] } }, ["a", "b", "c"], { plugins: [keys()] });
    const res = await gateway.post("/v1/embeddings", ask("plain"), { authorization: "Bearer sk-eu-only-0000" });
    expect(res.headers.get("x-switchyard-provider")).toBe("c");
  });
});
