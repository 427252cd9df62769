/**
 * What a rate-limit check costs, with the in-process memory store and with the Redis store:
 * 1. one store step (GCRA consume; lease acquire + release), memory vs Redis;
 * 2. the rateLimit plugin's onRequest + onComplete for one request (rpm + tpm + concurrent);
 * 3. a whole in-process chat request (mock provider) with no limiter, and with each store.
 * The Redis figures include the round trip to the server at REDIS_URL (default 127.0.0.1:6379);
 * its keys use a unique prefix and are deleted afterwards.
 * Run: npm run bench:ratelimit
 */
import { Redis } from "ioredis";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { createGateway } from "../core/gateway.ts";
import { rateLimit } from "../plugins/rate-limit/index.ts";
import { mock } from "../providers/mock.ts";
import { memoryStore } from "../stores/memory.ts";
import { redisStore } from "../stores/redis.ts";
import { rateLimitHooks, rateLimitPluginGroup, rule } from "./micro/rate-limit.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `switchyard-bench:${process.pid}:`;
const memory = memoryStore();
const redis = redisStore({ url: REDIS_URL, prefix });
await redis.connect();

const memoryHooks = rateLimitHooks(memory);
const redisHooks = rateLimitHooks(redis);
const body = { model: "mock/mock", messages: [{ role: "user", content: "Hello, how are you today?" }] };
const bodyText = JSON.stringify(body);

const init = { method: "POST", headers: { "content-type": "application/json" }, body: bodyText };
const bare = await createGateway({ providers: { mock: mock() } });
const limitedMemory = await createGateway({ providers: { mock: mock() }, plugins: [rateLimit({ per: "global", rpm: rule.limit, tpm: rule.limit, concurrent: 1_000_000, store: memoryStore() })] });
const limitedRedis = await createGateway({
  providers: { mock: mock() },
  plugins: [rateLimit({ per: "global", rpm: rule.limit, tpm: rule.limit, concurrent: 1_000_000, store: redisStore({ url: REDIS_URL, prefix }) })],
});

let lease = 0;
summary(() => {
  group("one store step: GCRA consume", () => {
    bench("memory store", () => do_not_optimize(memory.consume("b:consume", rule, 1)));
    bench("redis store (round trip)", async () => do_not_optimize(await redis.consume("b:consume", rule, 1)));
  });
});

summary(() => {
  group("one store step: lease acquire + release", () => {
    bench("memory store", () => {
      const id = String(lease++);
      memory.acquire("b:lease", id, 1_000_000, 60_000);
      memory.release("b:lease", id);
    });
    bench("redis store (two round trips)", async () => {
      const id = String(lease++);
      await redis.acquire("b:lease", id, 1_000_000, 60_000);
      await redis.release("b:lease", id);
    });
  });
});

rateLimitPluginGroup("rateLimit plugin, one request: onRequest (rpm + tpm + concurrent) and onComplete", [
  { name: "memory store", hooks: memoryHooks, remote: false },
  { name: "redis store", hooks: redisHooks, remote: true },
]);

summary(() => {
  group("in-process chat request (mock provider, JSON)", () => {
    bench("no rate limit", async () => {
      await (await bare.fetch(new Request("http://gateway.local/v1/chat/completions", init))).text();
    });
    bench("rateLimit on memoryStore", async () => {
      await (await limitedMemory.fetch(new Request("http://gateway.local/v1/chat/completions", init))).text();
    });
    bench("rateLimit on redisStore", async () => {
      await (await limitedRedis.fetch(new Request("http://gateway.local/v1/chat/completions", init))).text();
    });
  });
});

await run({ colors: process.stdout.isTTY === true });
for (const gw of [bare, limitedMemory, limitedRedis]) await gw.close({ timeoutMs: 2000 });
await redis.close();

// Leave nothing behind on a Redis others use.
const cleaner = new Redis(REDIS_URL);
let cursor = "0";
do {
  const [next, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
  cursor = next;
  if (keys.length > 0) await cleaner.del(...keys);
} while (cursor !== "0");
cleaner.disconnect();
