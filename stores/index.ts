/**
 * Counter stores for rate limits, budgets and concurrency caps: `memoryStore()` (in-process, the
 * default) and `redisStore({ url })` (shared by every gateway instance on one Redis). Key stores
 * for keys and teams created at runtime: `memoryKeyStore()` and `postgresKeyStore({ url })`.
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
export { memoryKeyStore, type MemoryKeyStoreOptions } from "./memory-keys.ts";
export { postgresKeyStore, type PostgresKeyStoreOptions } from "./postgres-keys.ts";
export {
  type AuditEntry,
  KeyConflictError,
  type KeyRecord,
  type KeySet,
  type KeyStore,
  type KeyStoreHealth,
  type SpendQuery,
  type SpendRow,
  type SpendTotal,
  type TeamRecord,
} from "../core/key-store.ts";
