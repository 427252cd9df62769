import { afterAll, describe, it } from "vitest";
import { memoryStore, redisStore } from "../../stores/index.ts";
import { counterStoreConformance } from "../../testing/index.ts";
import { deleteKeys, REDIS_URL, uniquePrefix } from "../helpers/redis.ts";

describe("memoryStore conformance", () => {
  for (const check of counterStoreConformance(() => memoryStore())) it.concurrent(check.name, check.run);
});

describe("redisStore conformance (REDIS_URL)", () => {
  const prefix = uniquePrefix("conformance");
  afterAll(() => deleteKeys(prefix));
  for (const check of counterStoreConformance(() => redisStore({ url: REDIS_URL, prefix }))) it.concurrent(check.name, check.run);
});
