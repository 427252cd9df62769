/** Built-in plugins. */
export { auth, hashKey, type AuthKey, type AuthOptions } from "./auth/index.ts";
export { route, type RouteOptions, type RouteTarget } from "./route/index.ts";
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
