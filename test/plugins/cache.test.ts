import { Redis } from "ioredis";
import { definePlugin } from "../../core/index.ts";
import { afterAll, describe, expect, it } from "vitest";
import { auth, cache, type CacheOptions, fallback, memoryCacheStore, redisCacheStore, route } from "../../plugins/index.ts";
import { openai } from "../../providers/openai.ts";
import { cacheStoreConformance, createTestGateway, inProcessUpstream, mockUpstream, readSSE } from "../../testing/index.ts";
import { canonicalJson } from "../../plugins/cache/index.ts";
import { settled } from "../reliability/helpers.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `switchyard-test:cache:${process.pid}:${Date.now().toString(36)}:`;

afterAll(async () => {
  // Leave nothing behind on the shared Redis.
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const chat = (content = "hello", extra: Record<string, unknown> = {}) => ({ model: "fast", messages: [{ role: "user", content }], ...extra });

async function cachedGateway(options: Partial<CacheOptions> = {}, extra: { keys?: boolean } = {}) {
  const upstream = mockUpstream({ chunkDelayMs: 0 });
  const plugins = [
    route({ models: { fast: [{ provider: "up", model: "gpt-4o-mini" }] } }),
    cache({ ttl: 60, ...options }),
  ];
  if (extra.keys) {
    plugins.unshift(auth({ keys: [{ id: "k1", key: "sk-key-one-0000", team: "t" }, { id: "k2", key: "sk-key-two-0000", team: "t" }, { id: "k3", key: "sk-key-three-00" }] }));
  }
  const gateway = await createTestGateway({
    providers: { up: openai({ baseURL: "http://up.test/v1", apiKey: "sk-up" }) },
    plugins,
    upstream: inProcessUpstream(upstream.fetch),
  });
  return { gateway, upstream };
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("cache plugin", () => {
  it("answers a repeated JSON request from the cache without calling the upstream", async () => {
    const { gateway, upstream } = await cachedGateway();
    const first = await gateway.post("/v1/chat/completions", chat());
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const body = await first.text();
    await settled(gateway);
    const second = await gateway.post("/v1/chat/completions", chat());
    expect(second.status).toBe(200);
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.headers.get("x-switchyard-provider")).toBe("up");
    expect(second.headers.get("x-switchyard-model")).toBe("gpt-4o-mini");
    expect(second.headers.get("x-switchyard-attempts")).toBeNull();
    expect(second.headers.get("age")).toBe("0");
    expect(second.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await second.text()).toBe(body);
    expect(upstream.calls).toHaveLength(1);
  });

  it("keys on the meaning of the JSON: object key order and ignored fields do not matter, array order does", async () => {
    const { gateway, upstream } = await cachedGateway();
    await gateway.post("/v1/chat/completions", '{"model":"fast","temperature":0.5,"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}');
    await settled(gateway);
    const reordered = await gateway.post("/v1/chat/completions", '{"messages":[{"content":"a","role":"user"},{"content":"b","role":"user"}],"temperature":0.50,"model":"fast","user":"end-user-7"}');
    expect(reordered.headers.get("x-switchyard-cache")).toBe("hit");
    const swapped = await gateway.post("/v1/chat/completions", '{"model":"fast","temperature":0.5,"messages":[{"role":"user","content":"b"},{"role":"user","content":"a"}]}');
    expect(swapped.headers.get("x-switchyard-cache")).toBe("miss");
    const other = await gateway.post("/v1/chat/completions", '{"model":"fast","temperature":0.7,"messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]}');
    expect(other.headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(3);
    expect(canonicalJson({ b: [2, { d: 1, c: undefined, a: null }], a: "x" })).toBe('{"a":"x","b":[2,{"a":null,"d":1}]}');
  });

  it("stores a streamed answer and replays it as a stream, without calling the upstream", async () => {
    const { gateway, upstream } = await cachedGateway();
    const first = await gateway.post("/v1/chat/completions", chat("stream me", { stream: true }));
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    const live = await readSSE(first);
    await settled(gateway);
    const second = await gateway.post("/v1/chat/completions", chat("stream me", { stream: true }));
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.headers.get("content-type")).toContain("text/event-stream");
    // Replayed event by event, in the OpenAI chunk format, ending with [DONE].
    const reader = second.body!.getReader();
    const chunks: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(new TextDecoder().decode(value));
    }
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.at(-1)).toBe("data: [DONE]\n\n");
    const replayed = await readSSE(new Response(chunks.join("")));
    expect(replayed).toEqual(live);
    expect((replayed[0] as { object: string }).object).toBe("chat.completion.chunk");
    expect(upstream.calls).toHaveLength(1);
    // A JSON request for the same conversation is another entry.
    expect((await gateway.post("/v1/chat/completions", chat("stream me"))).headers.get("x-switchyard-cache")).toBe("miss");
  });

  it("never stores a stream that broke, nor an error", async () => {
    const { gateway, upstream } = await cachedGateway();
    upstream.fail({ cutAfterEvents: 1 });
    await readSSE(await gateway.post("/v1/chat/completions", chat("cut", { stream: true })));
    await settled(gateway);
    const again = await gateway.post("/v1/chat/completions", chat("cut", { stream: true }));
    expect(again.headers.get("x-switchyard-cache")).toBe("miss");
    await again.text();
    upstream.fail({ status: 500 });
    expect((await gateway.post("/v1/chat/completions", chat("err"))).status).toBe(500);
    await settled(gateway);
    expect((await gateway.post("/v1/chat/completions", chat("err"))).headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(4);
  });

  it("caches embeddings too", async () => {
    const { gateway, upstream } = await cachedGateway();
    const body = { model: "fast", input: ["a", "b"], dimensions: 8 };
    const first = await (await gateway.post("/v1/embeddings", body)).json();
    await settled(gateway);
    const hit = await gateway.post("/v1/embeddings", body);
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    expect(await hit.json()).toEqual(first);
    expect(upstream.calls).toHaveLength(1);
  });

  it("honours Cache-Control: no-cache refreshes, no-store bypasses, max-age bounds the age", async () => {
    const { gateway, upstream } = await cachedGateway();
    await gateway.post("/v1/chat/completions", chat());
    await settled(gateway);
    const refreshed = await gateway.post("/v1/chat/completions", chat(), { "cache-control": "no-cache" });
    expect(refreshed.headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(2);
    const bypass = await gateway.post("/v1/chat/completions", chat("private"), { "cache-control": "no-store" });
    expect(bypass.headers.get("x-switchyard-cache")).toBe("bypass");
    await settled(gateway);
    expect((await gateway.post("/v1/chat/completions", chat("private"))).headers.get("x-switchyard-cache")).toBe("miss");
    await settled(gateway);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await gateway.post("/v1/chat/completions", chat("private"), { "cache-control": "max-age=0" })).headers.get("x-switchyard-cache")).toBe("miss");
    expect((await gateway.post("/v1/chat/completions", chat("private"), { "cache-control": "max-age=3600" })).headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("expires entries after the ttl", async () => {
    let now = 1_000_000;
    const store = memoryCacheStore({ clock: () => now });
    const { gateway, upstream } = await cachedGateway({ ttl: 10, store });
    await gateway.post("/v1/chat/completions", chat());
    await settled(gateway);
    now += 9_000;
    expect((await gateway.post("/v1/chat/completions", chat())).headers.get("x-switchyard-cache")).toBe("hit");
    now += 2_000;
    expect((await gateway.post("/v1/chat/completions", chat())).headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(2);
  });

  it("shares answers only within the partition it is told", async () => {
    const { gateway, upstream } = await cachedGateway({ partition: "team" }, { keys: true });
    const as = (key: string) => gateway.post("/v1/chat/completions", chat("team question"), { authorization: `Bearer ${key}` });
    await as("sk-key-one-0000");
    await settled(gateway);
    expect((await as("sk-key-two-0000")).headers.get("x-switchyard-cache")).toBe("hit");
    expect((await as("sk-key-three-00")).headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(2);
  });

  it("keeps every key's answers to itself by default", async () => {
    const { gateway, upstream } = await cachedGateway({}, { keys: true });
    const as = (key: string) => gateway.post("/v1/chat/completions", chat("my question"), { authorization: `Bearer ${key}` });
    expect((await as("sk-key-one-0000")).headers.get("x-switchyard-cache")).toBe("miss");
    await settled(gateway);
    expect((await as("sk-key-one-0000")).headers.get("x-switchyard-cache")).toBe("hit");
    // Same team, same request: still not served from k1's answer unless the config says so.
    expect((await as("sk-key-two-0000")).headers.get("x-switchyard-cache")).toBe("miss");
    expect((await as("sk-key-three-00")).headers.get("x-switchyard-cache")).toBe("miss");
    expect(upstream.calls).toHaveLength(3);
    expect(gateway.plugins.find((p) => p.name === "cache")?.describe?.()).toMatchObject({ cache: { partition: "key" } });
  });

  it("shares answers between every caller only when told to (`shared`, or its older name `none`)", async () => {
    for (const partition of ["shared", "none"] as const) {
      const { gateway, upstream } = await cachedGateway({ partition }, { keys: true });
      await gateway.post("/v1/chat/completions", chat("common question"), { authorization: "Bearer sk-key-one-0000" });
      await settled(gateway);
      expect((await gateway.post("/v1/chat/completions", chat("common question"), { authorization: "Bearer sk-key-three-00" })).headers.get("x-switchyard-cache")).toBe("hit");
      expect(upstream.calls).toHaveLength(1);
    }
    expect(() => cache({ ttl: 1, partition: "everyone" as never })).toThrow(/partition must be "key", "team" or "shared"/);
  });

  it("keeps the values of `vary` headers in the key", async () => {
    const { gateway } = await cachedGateway({ vary: ["X-Tier"] });
    await gateway.post("/v1/chat/completions", chat(), { "x-tier": "premium" });
    await settled(gateway);
    expect((await gateway.post("/v1/chat/completions", chat(), { "x-tier": "basic" })).headers.get("x-switchyard-cache")).toBe("miss");
    expect((await gateway.post("/v1/chat/completions", chat(), { "x-tier": "premium" })).headers.get("x-switchyard-cache")).toBe("hit");
  });

  it("looks up after every other onRequest check, so a refused caller never gets a cached answer", async () => {
    const upstream = mockUpstream();
    const gateway = await createTestGateway({
      providers: { eu: openai({ baseURL: "http://up.test/v1" }), us: openai({ baseURL: "http://up.test/v1" }) },
      plugins: [
        // Listed first on purpose: its lookup still runs after the checks of the plugins below.
        cache({ ttl: 60 }),
        auth({ keys: [{ id: "eu-app", key: "sk-eu-app-0000", region: "eu" }, { id: "roamer", key: "sk-roamer-0000", regions: ["eu", "us"] }] }),
        route({ models: { fast: [{ provider: "eu", model: "m", region: "eu" }, { provider: "us", model: "m", region: "us" }] } }),
        definePlugin({ name: "quota", onRequest: (ctx) => (ctx.request.headers.has("x-over-quota") ? new Response("{}", { status: 429 }) : undefined) }),
      ],
      upstream: inProcessUpstream(upstream.fetch),
    });
    const as = (key: string, headers: Record<string, string> = {}) => gateway.post("/v1/chat/completions", chat(), { authorization: `Bearer ${key}`, ...headers });
    expect((await as("sk-roamer-0000", { "x-switchyard-region": "us" })).headers.get("x-switchyard-cache")).toBe("miss");
    await settled(gateway);
    expect((await as("sk-roamer-0000")).headers.get("x-switchyard-cache")).toBe("hit");
    const refused = await as("sk-eu-app-0000", { "x-switchyard-region": "us" });
    expect(refused.status).toBe(403);
    expect((await as("sk-roamer-0000", { "x-over-quota": "1" })).status).toBe(429);
    expect(upstream.calls).toHaveLength(1);
  });

  it("answers misses, and says so once, while the store is down", async () => {
    const store = redisCacheStore({ url: "redis://127.0.0.1:1", prefix: PREFIX, commandTimeoutMs: 100 });
    const { gateway, upstream } = await cachedGateway({ store });
    for (let i = 0; i < 3; i++) {
      const res = await gateway.post("/v1/chat/completions", chat());
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-cache")).toBe("miss");
    }
    await settled(gateway);
    expect(upstream.calls).toHaveLength(3);
    expect(gateway.reported).toHaveLength(1);
    expect(gateway.reported[0].message).toContain("cache store");
    await gateway.close();
  });
});

describe("memory cache store", () => {
  it("evicts the least recently used entries to stay within its bytes", async () => {
    const store = memoryCacheStore({ maxBytes: 3 * 2 * 102 });
    const value = "v".repeat(100);
    await store.set("a", value, 60_000);
    await store.set("b", value, 60_000);
    await store.set("c", value, 60_000);
    expect(store.size).toBe(3);
    await store.get("a");
    await store.set("d", value, 60_000);
    expect(await store.get("b")).toBeNull();
    expect(await store.get("a")).toBe(value);
    expect(await store.get("d")).toBe(value);
    expect(store.bytes).toBeLessThanOrEqual(3 * 2 * 102);
    await store.set("huge", "x".repeat(1000), 60_000);
    expect(await store.get("huge")).toBeNull();
  });

  for (const check of cacheStoreConformance(() => memoryCacheStore())) it(`conformance: ${check.name}`, check.run);
});

describe("redis cache store", () => {
  for (const check of cacheStoreConformance(() => redisCacheStore({ url: REDIS_URL, prefix: PREFIX }))) it(`conformance: ${check.name}`, check.run);

  it("lets two gateway instances share one cache", async () => {
    const upstream = mockUpstream();
    const prefix = `${PREFIX}shared:`;
    const make = () =>
      createTestGateway({
        providers: { up: openai({ baseURL: "http://up.test/v1" }) },
        plugins: [route({ models: { fast: [{ provider: "up", model: "m" }] } }), fallback(), cache({ ttl: 60, store: redisCacheStore({ url: REDIS_URL, prefix }) })],
        upstream: inProcessUpstream(upstream.fetch),
      });
    const [one, two] = [await make(), await make()];
    const question = chat("shared", { stream: true });
    const live = await readSSE(await one.post("/v1/chat/completions", question));
    await settled(one);
    // The write happens after the response; wait until it has landed in Redis.
    const redis = new Redis(REDIS_URL);
    await waitFor(async () => (await redis.keys(`${prefix}*`)).length === 1, "the entry in Redis");
    const ttl = await redis.pttl((await redis.keys(`${prefix}*`))[0]);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await redis.quit();
    const hit = await two.post("/v1/chat/completions", question);
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    expect(hit.headers.get("x-switchyard-provider")).toBe("up");
    expect(await readSSE(hit)).toEqual(live);
    expect(upstream.calls).toHaveLength(1);
    await Promise.all([one.close(), two.close()]);
  });
});
