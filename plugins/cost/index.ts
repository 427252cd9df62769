import type { RequestContext } from "../../core/context.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { ProviderAdapter } from "../../core/provider.ts";
import { formatUsd, requestCost } from "./compute.ts";
import { type ModelPrice, PRICES } from "./prices.ts";

export { PRICES, PRICES_CHECKED, type ModelPrice, type PriceEntry, type TokenPrices } from "./prices.ts";
export { requestCost } from "./compute.ts";

export interface CostOptions {
  /**
   * Prices that replace or add to the shipped table, in USD per million tokens. Keys are a model
   * id (`gpt-6-sol`) or `<provider>/<model>` with the provider's configured name (`local/llama3.1`),
   * which wins over the bare model id.
   */
  prices?: Record<string, ModelPrice>;
  /** Add `x-switchyard-cost-usd` to non-streaming responses. Default true. */
  header?: boolean;
}

export const COST_HEADER = "x-switchyard-cost-usd";

/** Model ids resolved to a price (or to none), bounded: a client may name any `provider/model`. */
const MAX_CACHED_MODELS = 1024;
const NO_PRICE: unique symbol = Symbol("no price");
/** `-2025-08-07` or `-20250929`: dated snapshots share their model's price. */
const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;
/** A Bedrock inference profile's geography (`us.`, `eu.`, `global.` …): the model it runs is priced as itself. */
const PROFILE_PREFIX = /^(?:us|eu|apac|jp|au|ca|us-gov|global)\./;

function validPrice(where: string, price: ModelPrice): void {
  for (const field of ["input", "output"] as const) {
    const value = price?.[field];
    if (typeof value !== "number" || !(value >= 0)) throw new Error(`prices["${where}"].${field} must be a number >= 0 (USD per million tokens)`);
  }
  for (const field of ["cachedInput", "cacheWrite", "reasoning"] as const) {
    const value = price[field];
    if (value !== undefined && !(typeof value === "number" && value >= 0)) throw new Error(`prices["${where}"].${field} must be a number >= 0`);
  }
}

/**
 * Cost per request, from the provider's reported usage (streams included) and a pricing table
 * (shipped, overridable). The cost goes on `ctx.vars.costUsd` for budgets and logs, and on
 * non-streaming responses as `x-switchyard-cost-usd`. A model without a price costs null and is
 * reported once, never silently 0. The built-in `mock` provider costs 0.
 */
export function cost(options: CostOptions = {}): Plugin {
  const overrides = new Map<string, ModelPrice>();
  for (const [key, price] of Object.entries(options.prices ?? {})) {
    validPrice(key, price);
    overrides.set(key, price);
  }
  const header = options.header ?? true;
  /** provider → model → price: looked up per request without building the `provider/model` string. */
  const resolved = new Map<string, Map<string, ModelPrice | typeof NO_PRICE>>();
  let resolvedCount = 0;
  const warned = new Set<string>();
  let providers: ReadonlyMap<string, ProviderAdapter> = new Map();
  let report: (error: unknown, where: string) => void = () => {};

  function lookup(provider: string, model: string): ModelPrice | typeof NO_PRICE {
    let byModel = resolved.get(provider);
    let price = byModel?.get(model);
    if (price !== undefined) return price;
    const qualified = `${provider}/${model}`;
    const undated = model.replace(DATE_SUFFIX, "");
    price =
      overrides.get(qualified) ??
      overrides.get(model) ??
      (undated !== model ? overrides.get(`${provider}/${undated}`) ?? overrides.get(undated) : undefined) ??
      PRICES[model] ??
      PRICES[undated] ??
      PRICES[model.replace(PROFILE_PREFIX, "")] ??
      (providers.get(provider)?.kind === "mock" ? { input: 0, output: 0 } : NO_PRICE);
    if (resolvedCount >= MAX_CACHED_MODELS) {
      resolved.clear();
      resolvedCount = 0;
      byModel = undefined;
    }
    if (byModel === undefined) resolved.set(provider, (byModel = new Map()));
    byModel.set(model, price);
    resolvedCount++;
    return price;
  }

  function costOf(ctx: RequestContext): number | null {
    const served = ctx.served;
    if (served === null) return 0;
    const price = lookup(served.provider, served.model);
    if (price === NO_PRICE) {
      const qualified = `${served.provider}/${served.model}`;
      if (!warned.has(qualified) && warned.size < MAX_CACHED_MODELS) {
        warned.add(qualified);
        report(
          new Error(`no price for model "${served.model}" (provider "${served.provider}"); its requests cost null. Add it with cost({ prices: { "${qualified}": { input, output } } })`),
          "cost",
        );
      }
      return null;
    }
    return ctx.usage === null ? null : requestCost(price, ctx.usage, ctx.receivedAt);
  }

  return definePlugin({
    name: "cost",
    setup(app) {
      providers = app.providers;
      report = app.report;
    },
    describe: () => ({ models: Object.keys(PRICES).length, overrides: [...overrides.keys()] }),
    onResponse(ctx) {
      // Non-streaming answers still have headers to set; streams are priced when they end.
      if (ctx.stream) return;
      const usd = costOf(ctx);
      ctx.vars.costUsd = usd;
      if (header && usd !== null) ctx.setResponseHeader(COST_HEADER, formatUsd(usd));
    },
    // Before other onComplete hooks, so budgets and logs read the cost whatever the plugin order.
    onComplete: {
      order: "pre",
      handler(ctx) {
        if (ctx.vars.costUsd === undefined) ctx.vars.costUsd = costOf(ctx);
      },
    },
  });
}
