import type { RequestContext } from "../../core/context.ts";
import type { CounterStore } from "../../core/counter-store.ts";
import { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { BudgetApi } from "../../core/plugin-api.ts";
import { memoryStore } from "../../stores/memory.ts";
import { carriedStore, offerStore, storeHold } from "../handover.ts";
import { bucketOf, describeBucket } from "../principal-bucket.ts";
import { type EarlyStart, earlyStarts, isNetworked, offerEarlyStart } from "../store-calls.ts";
import { isThenable, limitsUnavailable, newStorePolicyStats, requireStore, type StorePolicyStats } from "../store-policy.ts";

import type { BudgetPeriod, Limits } from "../../core/key-store.ts";

export type { BudgetPeriod } from "../../core/key-store.ts";

export interface BudgetOptions {
  /** Whose spend is capped: each key's, or each team's (keys without a team are not capped by it). */
  per: "key" | "team";
  /**
   * The cap in USD for each period, for keys (or teams) whose own record sets no `budgetUsd`.
   * Leave it out to cap only those that set one.
   */
  usd?: number;
  /** Calendar day or month in UTC, or for all time; a record's `budgetPeriod` wins. Default `month`. */
  period?: BudgetPeriod;
  /** Where spend is counted. Default: an in-process `memoryStore()`; use `redisStore()` to share it. */
  store?: CounterStore;
  /** When the store cannot be reached: let requests through (true, the default) or refuse them (503). */
  failOpen?: boolean;
  /** `/ready` answers 503 while the store is unreachable, so a load balancer moves traffic elsewhere. Default false. */
  required?: boolean;
  /** Plugin name; must be unique. Default `budget:<per>:<period>`. */
  name?: string;
}

export interface BudgetStats extends StorePolicyStats {
  /** Requests refused because their budget was spent. */
  rejected: number;
  /** USD added to budgets by this instance. */
  chargedUsd: number;
}

export interface BudgetPlugin extends Plugin {
  /** What metrics reads: requests rejected and USD charged (the same as `stats()`). */
  readonly api: { readonly budget: BudgetApi };
  stats(): Readonly<BudgetStats>;
}

/** Requests that spend tokens, on every surface; token counts and model lists spend none. */
const SPENDING = ["generate", "embed"] as const;
const DAY_MS = 86_400_000;
const ADJECTIVE: Record<BudgetPeriod, string> = { day: "daily", month: "monthly", total: "total" };

interface Period {
  /** Part of the counter key: 2026-11-25, 2026-11 or total. */
  readonly id: string;
  /** When the next period starts (ms since the epoch); null for `total`. */
  readonly endsAt: number | null;
}

function periodAt(period: BudgetPeriod, at: number): Period {
  if (period === "total") return { id: "total", endsAt: null };
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === "month") {
    return { id: `${year}-${String(month + 1).padStart(2, "0")}`, endsAt: Date.UTC(year, month + 1, 1) };
  }
  const day = date.getUTCDate();
  return { id: `${year}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`, endsAt: Date.UTC(year, month, day + 1) };
}

function usd(amount: number): string {
  return `$${amount < 0.01 && amount > 0 ? amount.toPrecision(2) : amount.toFixed(2)}`;
}

/**
 * Spend caps per key or team. Each request's cost (from the `cost` plugin) is added after it
 * completes and checked before the next one; over the cap is 429 `insufficient_quota` with a
 * message naming the period. With a shared store, N gateway instances spend one budget, not N.
 * A cap can be overshot by the requests already in flight when it runs out.
 */
export function budget(options: BudgetOptions): BudgetPlugin {
  if (!options || (options.per !== "key" && options.per !== "team")) throw new TypeError('budget: options.per must be "key" or "team"');
  if (options.usd !== undefined && (typeof options.usd !== "number" || !(options.usd > 0))) throw new TypeError("budget: options.usd must be a number > 0");
  if (options.period !== undefined && !["day", "month", "total"].includes(options.period)) throw new TypeError('budget: options.period must be "day", "month" or "total"');
  const { per } = options;
  const defaultPeriod = options.period ?? "month";
  const defaultCap = options.usd;
  const name = options.name ?? `budget:${per}:${defaultPeriod}`;
  let store = options.store ?? memoryStore();
  const storeHeld = storeHold<CounterStore>();
  const failOpen = options.failOpen ?? true;
  const keys = new WeakMap<RequestContext, { key: string; endsAt: number | null }>();
  const stats: BudgetStats = { rejected: 0, chargedUsd: 0, ...newStorePolicyStats() };
  const readStats = (): Readonly<BudgetStats> => ({ ...stats });

  function storeFailed(): undefined {
    stats.storeErrors++;
    if (!failOpen) {
      stats.failedClosed++;
      throw limitsUnavailable("The spend budget");
    }
    stats.failedOpen++;
    return undefined;
  }

  function judge(ctx: RequestContext, bucket: string, key: string, current: Period, period: BudgetPeriod, cap: number, spent: number): undefined {
    if (spent >= cap) {
      stats.rejected++;
      const resets = current.endsAt === null ? "It does not reset." : `It resets at ${new Date(current.endsAt).toISOString().replace(".000Z", "Z")}.`;
      const headers: Record<string, string> = { "x-should-retry": "false" };
      if (current.endsAt !== null) headers["retry-after"] = String(Math.ceil((current.endsAt - Date.now()) / 1000));
      throw new GatewayError({
        status: 429,
        type: "insufficient_quota",
        code: "insufficient_quota",
        message: `You exceeded your ${ADJECTIVE[period]} budget: ${describeBucket(per, bucket)} has spent ${usd(spent)} of ${usd(cap)}${current.endsAt === null ? "" : ` for ${current.id} (UTC)`}. ${resets}`,
        fault: "policy",
        headers,
      });
    }
    keys.set(ctx, { key, endsAt: current.endsAt });
    return undefined;
  }

  /** A spend read begun early by a peer (see store-calls.ts), waiting for this plugin's turn. */
  const early = new WeakMap<RequestContext, Promise<number>>();
  let peers: readonly EarlyStart[] = [];

  interface Where {
    readonly bucket: string;
    readonly key: string;
    readonly current: Period;
    readonly period: BudgetPeriod;
    readonly cap: number;
  }

  function whereOf(ctx: RequestContext): Where | null {
    const bucket = bucketOf(per, ctx);
    if (bucket === null) return null;
    // A key's (or team's) own record wins over the plugin's defaults.
    const own: Limits | undefined = per === "key" ? ctx.principal?.limits : ctx.principal?.teamLimits;
    const cap = own?.budgetUsd ?? defaultCap;
    if (cap === undefined) return null;
    const period = own?.budgetPeriod ?? defaultPeriod;
    const current = periodAt(period, ctx.receivedAt);
    return { bucket, key: `bg:${name}:${bucket}:${current.id}`, current, period, cap };
  }

  function startEarly(ctx: RequestContext): void {
    if (early.has(ctx) || !isNetworked(store) || ctx.operation === null || !(SPENDING as readonly string[]).includes(ctx.operation)) return;
    const where = whereOf(ctx);
    if (where === null) return;
    let read: Promise<number>;
    try {
      read = Promise.resolve(store.get(where.key));
    } catch (error) {
      read = Promise.reject(error);
    }
    // Read now, judged in this plugin's turn; a read nobody judges must not be an unhandled rejection.
    read.catch(() => {});
    early.set(ctx, read);
  }

  function check(ctx: RequestContext): void | Promise<void> {
    for (const start of peers) start(ctx);
    const where = whereOf(ctx);
    if (where === null) return;
    const { bucket, key, current, period, cap } = where;
    let spent: number | Promise<number>;
    const started = early.get(ctx);
    if (started !== undefined) {
      early.delete(ctx);
      spent = started;
    } else {
      try {
        spent = store.get(key);
      } catch {
        return storeFailed();
      }
    }
    if (!isThenable(spent)) return judge(ctx, bucket, key, current, period, cap, spent);
    return spent.then(
      (value) => judge(ctx, bucket, key, current, period, cap, value),
      () => {
        // Failing open still charges the request afterwards, should the store be back by then.
        storeFailed();
        keys.set(ctx, { key, endsAt: current.endsAt });
      },
    );
  }


  function charge(ctx: RequestContext): void | Promise<void> {
    const held = keys.get(ctx);
    if (held === undefined) return;
    keys.delete(ctx);
    const amount = ctx.vars.costUsd;
    if (typeof amount !== "number" || !(amount > 0)) return;
    // Kept a day past the period's end, so a late charge never resurrects it with a short life.
    const ttl = held.endsAt === null ? undefined : held.endsAt - Date.now() + DAY_MS;
    stats.chargedUsd += amount;
    try {
      const result = store.increment(held.key, amount, ttl);
      if (isThenable(result)) {
        return (result as Promise<number>).then(
          () => undefined,
          () => {
            stats.storeErrors++;
          },
        );
      }
    } catch {
      stats.storeErrors++;
    }
  }

  const plugin = definePlugin({
    name,
    requires: { plugins: ["cost"] },
    describe: () => ({ per, usd: defaultCap, period: defaultPeriod, store: store.kind, failOpen, required: options.required === true }),
    setup(app) {
      store = carriedStore(app, store);
      storeHeld.take(store);
      if (options.required === true) requireStore(app, name, store);
      peers = earlyStarts(app.plugins);
    },
    onRequest: { handler: check, filter: { operations: SPENDING } },
    onComplete: charge,
    close: () => storeHeld.close(store),
    stats: readStats,
    api: { budget: { stats: readStats } },
  });
  offerStore(plugin, () => store);
  offerEarlyStart(plugin, startEarly);
  return plugin;
}
