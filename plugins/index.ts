/** Built-in plugins. */
export { auth, type AuthKey, type AuthOptions } from "./auth/index.ts";
export {
  type AliasRoute,
  type RegionOptions,
  route,
  type RouteCondition,
  type RouteOptions,
  type RoutePlugin,
  type RouteRule,
  type RouteStrategy,
  type RouteTarget,
  type RouteWhen,
  TargetStats,
} from "./route/index.ts";
export { type BackoffOptions, fallback, type FallbackOptions, type FallbackTrigger } from "./fallback/index.ts";
export {
  circuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerPlugin,
  type CircuitChange,
  type CircuitSnapshot,
  type CircuitState,
} from "./circuit-breaker/index.ts";
export {
  cache,
  type CacheOptions,
  type CacheStore,
  memoryCacheStore,
  type MemoryCacheStore,
  type MemoryCacheStoreOptions,
  type RedisCacheClient,
  redisCacheStore,
  type RedisCacheStoreOptions,
} from "./cache/index.ts";
