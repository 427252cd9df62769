import { afterAll, describe, expect, it } from "vitest";
import type { GatewayConfig } from "../../core/config.ts";
import { auth, budget, cost, rateLimit } from "../../plugins/index.ts";
import { redisStore } from "../../stores/index.ts";
import { createTestGateway, type TestGateway } from "../../testing/index.ts";
import { deleteKeys, REDIS_URL, uniquePrefix } from "../helpers/redis.ts";
import { chat } from "../helpers/upstream.ts";

/**
 * Two gateway instances, each with its own connection to the real Redis at REDIS_URL, sharing
 * limits through it: what one instance counts, the other sees.
 */
const prefix = uniquePrefix("shared");
const KEY = { id: "svc", key: "sk-svc-0123456789", team: "platform" };
const headers = { authorization: `Bearer ${KEY.key}` };
const ask = { model: "mock/m", ...chat("hello") };
const gateways: TestGateway[] = [];

afterAll(async () => {
  for (const gw of gateways) await gw.close({ timeoutMs: 1000 });
  await deleteKeys(prefix);
});

async function instance(plugins: (store: ReturnType<typeof redisStore>) => GatewayConfig["plugins"]): Promise<TestGateway> {
  const store = redisStore({ url: REDIS_URL, prefix });
  const gw = await createTestGateway({ plugins: plugins(store) });
  gateways.push(gw);
  return gw;
}

describe("two gateway instances sharing one Redis", () => {
  it("enforce one rpm limit together", async () => {
    const plugins = (store: ReturnType<typeof redisStore>) => [auth({ keys: [KEY] }), rateLimit({ per: "key", rpm: 6, store, name: "rpm-shared" })];
    const [one, two] = [await instance(plugins), await instance(plugins)];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await (i % 2 === 0 ? one : two).post("/v1/chat/completions", ask, headers)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    // Both saw the shared count in their headers.
    const res = await two.post("/v1/chat/completions", ask, headers);
    expect(res.status).toBe(429);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  });

  it("enforce one limit under concurrent load from both", async () => {
    const plugins = (store: ReturnType<typeof redisStore>) => [auth({ keys: [KEY] }), rateLimit({ per: "team", rpm: 25, store, name: "rpm-burst" })];
    const [one, two] = [await instance(plugins), await instance(plugins)];
    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? one : two).post("/v1/chat/completions", ask, headers)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(25);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(35);
  });

  it("spend one budget together", async () => {
    // The mock is free; a price makes each request cost a known amount.
    const plugins = (store: ReturnType<typeof redisStore>) => [
      auth({ keys: [KEY] }),
      cost({ prices: { "mock/m": { input: 1000, output: 1000 } } }),
      budget({ per: "team", usd: 0.2, period: "day", store, name: "budget-shared" }),
    ];
    const [one, two] = [await instance(plugins), await instance(plugins)];
    const first = await one.post("/v1/chat/completions", ask, headers);
    expect(first.status).toBe(200);
    await one.drain(1000);
    const each = Number(first.headers.get("x-switchyard-cost-usd"));
    expect(each).toBeGreaterThan(0.01);
    const affordable = Math.ceil(0.2 / each);
    let served = 1;
    for (let i = 1; i < affordable + 3; i++) {
      const gw = i % 2 === 0 ? one : two;
      const res = await gw.post("/v1/chat/completions", ask, headers);
      await gw.drain(1000);
      if (res.status === 200) served++;
      else {
        expect(res.status).toBe(429);
        expect((await res.json()).error.code).toBe("insufficient_quota");
      }
    }
    // One budget: the pair served what one instance alone could, not twice as much.
    expect(served).toBe(affordable);
  });
});
