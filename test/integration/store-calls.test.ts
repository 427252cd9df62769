import { afterAll, describe, expect, it } from "vitest";
import { auth, rateLimit } from "../../plugins/index.ts";
import { redisStore } from "../../stores/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { deleteKeys, REDIS_URL, uniquePrefix } from "../helpers/redis.ts";
import { chat } from "../helpers/upstream.ts";

const prefix = uniquePrefix("store-calls");
const store = redisStore({ url: REDIS_URL, prefix });

afterAll(async () => {
  await store.close();
  await deleteKeys(prefix);
});

describe("store calls started side by side", () => {
  it("gives back what a later limiter took when an earlier one refused the request", async () => {
    const gw = await createTestGateway({
      plugins: [
        auth({ keys: [{ id: "a", key: "sk-side-a-0123456789" }, { id: "b", key: "sk-side-b-0123456789" }] }),
        rateLimit({ per: "key", rpm: 1, store }),
        rateLimit({ per: "global", rpm: 2, store }),
      ],
    });
    const as = async (key: string) => (await gw.post("/v1/chat/completions", { model: "mock/m", ...chat("hi") }, { authorization: `Bearer ${key}` })).status;
    expect(await as("sk-side-a-0123456789")).toBe(200);
    // Refused by the per-key limit; the global limit's unit, taken alongside, is given back on completion.
    expect(await as("sk-side-a-0123456789")).toBe(429);
    await new Promise((r) => setTimeout(r, 100));
    expect(await as("sk-side-b-0123456789")).toBe(200);
    expect(await as("sk-side-b-0123456789")).toBe(429);
    const global = gw.plugins.find((p) => p.name === "rate-limit:global") as ReturnType<typeof rateLimit>;
    expect(global.stats()).toMatchObject({ allowed: 2, rejected: 0 });
    await gw.close({ timeoutMs: 500 });
  });
});
