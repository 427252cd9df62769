import { afterEach, describe, expect, it } from "vitest";
import type { Plugin } from "../../core/plugin.ts";
import { budget, cache, cost, rateLimit, redisCacheStore, route } from "../../plugins/index.ts";
import { redisStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { deleteKeys, REDIS_URL, uniquePrefix } from "../helpers/redis.ts";

/** Nothing listens on port 1: every connection is refused at once. */
const REFUSING = "redis://127.0.0.1:1";
const quiet = { warn: () => {} };
const prefix = uniquePrefix("required");
const gateways: TestGateway[] = [];

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.close({ timeoutMs: 1000 });
  await deleteKeys(prefix);
});

async function gateway(plugin: Plugin, extra: Plugin[] = []): Promise<TestGateway> {
  const gw = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), ...extra, plugin] });
  gateways.push(gw);
  return gw;
}

async function readiness(gw: TestGateway): Promise<{ status: number; body: unknown }> {
  const response = await gw.request("/ready");
  return { status: response.status, body: await response.json() };
}

const cases: [string, (url: string) => Plugin, string, Plugin[]][] = [
  ["rateLimit", (url) => rateLimit({ per: "key", rpm: 100, store: redisStore({ url, prefix, logger: quiet }), required: true }), "rate-limit:key store", []],
  ["budget", (url) => budget({ per: "key", usd: 10, period: "day", store: redisStore({ url, prefix, logger: quiet }), required: true }), "budget:key:day store", [cost()]],
  ["cache", (url) => cache({ ttl: 60, store: redisCacheStore({ url, prefix }), required: true }), "cache store", []],
];

describe("/ready with a required store", () => {
  for (const [name, make, check, extra] of cases) {
    it(`${name}({ required: true }) is not ready while its Redis refuses connections`, async () => {
      const gw = await gateway(make(REFUSING), extra);
      await expect.poll(() => readiness(gw), { timeout: 10_000 }).toEqual({ status: 503, body: { status: "not_ready", failing: [check] } });
      // Readiness is about routing traffic; requests are still answered by the plugin's own policy.
      const response = await gw.post("/v1/chat/completions", { model: "mock", messages: [{ role: "user", content: "hi" }] });
      expect(response.status).toBe(200);
    });

    it(`${name}({ required: true }) is ready once its Redis answers`, async () => {
      const gw = await gateway(make(REDIS_URL), extra);
      await expect.poll(() => readiness(gw), { timeout: 10_000 }).toEqual({ status: 200, body: { status: "ready" } });
    });
  }

  it("a store that is not required never fails /ready", async () => {
    const gw = await gateway(rateLimit({ per: "key", rpm: 100, store: redisStore({ url: REFUSING, prefix, logger: quiet }) }));
    await (await gw.post("/v1/chat/completions", { model: "mock", messages: [{ role: "user", content: "hi" }] })).text();
    expect(await readiness(gw)).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("an in-process store is always available", async () => {
    const gw = await gateway(rateLimit({ per: "key", rpm: 100, required: true }));
    expect(await readiness(gw)).toEqual({ status: 200, body: { status: "ready" } });
  });
});
