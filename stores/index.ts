/**
 * Counter stores for rate limits, budgets and concurrency caps: `memoryStore()` (in-process, the
 * default) and `redisStore({ url })` (shared by every gateway instance on one Redis).
 */
export { memoryStore, type MemoryStore, type MemoryStoreOptions } from "./memory.ts";
export { type BreakerOptions, redisStore, type RedisStore, type RedisStoreOptions, type RedisStoreStats } from "./redis.ts";
export {
  type CounterStore,
  type LeaseDecision,
  type RateDecision,
  type RateRule,
  StoreUnavailableError,
} from "../core/counter-store.ts";
