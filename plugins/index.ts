/** Built-in plugins. */
export { auth, hashKey, type AuthKey, type AuthOptions, type AuthTeam } from "./auth/index.ts";
export { admin, type AdminKey, type AdminOptions, type AdminPlugin } from "./admin/index.ts";
export { dashboard, type DashboardOptions, type DashboardPlugin } from "./dashboard/index.ts";
export { hostGuard, type HostGuardOptions, LOOPBACK_HOSTS } from "./host-guard/index.ts";
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
export { rateLimit, type RateLimitOptions, type RateLimitPlugin, type RateLimitStats } from "./rate-limit/index.ts";
export {
  cost,
  COST_HEADER,
  PRICES,
  PRICES_CHECKED,
  requestCost,
  type CostOptions,
  type ModelPrice,
  type PriceEntry,
  type TokenPrices,
} from "./cost/index.ts";
export { budget, type BudgetOptions, type BudgetPeriod, type BudgetPlugin, type BudgetStats } from "./budget/index.ts";
export type { LimitScope } from "./principal-bucket.ts";
export type { StorePolicyStats } from "./store-policy.ts";
export {
  DEFAULT_BUCKETS,
  DEFAULT_OVERHEAD_BUCKETS,
  type LogQueueStats,
  metrics,
  type MetricsOptions,
  type MetricsPlugin,
  PROMETHEUS_CONTENT_TYPE,
  UNROUTED,
} from "./metrics/index.ts";
export { tracing, type TracingOptions } from "./tracing/index.ts";
export { log, type LogOptions, type LogPlugin } from "./log/index.ts";
