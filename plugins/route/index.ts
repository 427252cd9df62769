import type { RequestContext } from "../../core/context.ts";
import { hasCode } from "../../core/error-codes.ts";
import { definePlugin, type Plugin, type SetupContext } from "../../core/plugin.ts";
import type { Attempt, Target, Timeouts } from "../../core/types.ts";
import { compileCondition, type Predicate, type RouteWhen } from "./conditions.ts";
import { type RegionOptions, regionResolver, regionUnavailable } from "./region.ts";
import { offerState, previousState } from "../handover.ts";
import { TargetStats } from "./stats.ts";
import { type Candidates, plan, type RouteStrategy, STRATEGIES } from "./strategies.ts";

export type { RouteCondition, RouteWhen } from "./conditions.ts";
export type { RegionOptions } from "./region.ts";
export type { RouteStrategy } from "./strategies.ts";
export { TargetStats } from "./stats.ts";

export interface RouteTarget {
  provider: string;
  model: string;
  /** Relative share of first attempts under the `weighted` strategy (default 1; 0 is never first). */
  weight?: number;
  /** Where the target runs, for regional routing. */
  region?: string;
  /** Overrides the provider's timeouts for this target, field by field. */
  timeouts?: Timeouts;
}

/** A rule picks its own target list when its condition holds; the first matching rule wins. */
export interface RouteRule {
  when: RouteWhen;
  targets: RouteTarget[];
  /** Default: the alias's strategy. */
  strategy?: RouteStrategy;
}

export interface AliasRoute {
  targets: RouteTarget[];
  /** Default `weighted` when any target has a weight, `ordered` otherwise. */
  strategy?: RouteStrategy;
  /** Checked in order before `targets`; the first whose `when` holds supplies the list. */
  rules?: RouteRule[];
}

export interface RouteOptions {
  /** Alias → targets (list order is the fallback order), or a route with a strategy and rules. */
  models: Record<string, RouteTarget[] | AliasRoute>;
  /** Regional routing: which targets a request's region selects. */
  region?: RegionOptions;
  /** Tuning of the `latency` strategy. */
  latency?: {
    /** Share of requests sent to a random target to keep measuring the others. Default 0.1. */
    exploration?: number;
    /** Weight of the newest sample in the moving average. Default 0.3. */
    alpha?: number;
  };
  /** The random source for picks (default `Math.random`); tests pass a seeded one. */
  random?: () => number;
}

/** The route plugin, with the per-target load and latency it keeps (for metrics). */
export interface RoutePlugin extends Plugin {
  stats(): readonly TargetStats[];
}

/** One target list (the alias's own, or a rule's), ready for any region a request may name. */
interface CompiledList {
  readonly all: Candidates;
  /** Region → candidates there (with the rest trailing when fallback is "any"); null: no target has a region. */
  readonly byRegion: ReadonlyMap<string, Candidates> | null;
}

interface CompiledAlias {
  readonly rules: readonly { readonly when: Predicate; readonly list: CompiledList }[];
  readonly list: CompiledList;
}

const TIMEOUT_FIELDS = new Set(["connectMs", "firstByteMs", "idleMs", "totalMs"]);

/** Whether any target anywhere names a region, known before setup. */
function usesRegions(options: RouteOptions): boolean {
  const named = (list: unknown): boolean => Array.isArray(list) && list.some((t) => t !== null && typeof t === "object" && (t as RouteTarget).region !== undefined);
  return Object.values(options.models).some((entry) =>
    isRouteList(entry)
      ? named(entry)
      : entry !== null && typeof entry === "object" && (named(entry.targets) || (Array.isArray(entry.rules) && entry.rules.some((r) => named(r?.targets))))
  );
}

function isRouteList(value: unknown): value is RouteTarget[] {
  return Array.isArray(value);
}

function strategyOf(value: unknown, where: string): RouteStrategy | undefined {
  if (value === undefined) return undefined;
  if (!STRATEGIES.includes(value as RouteStrategy)) throw new Error(`${where} must be one of ${STRATEGIES.join(", ")}`);
  return value as RouteStrategy;
}

function checkTimeouts(timeouts: unknown, where: string): Timeouts | undefined {
  if (timeouts === undefined) return undefined;
  if (timeouts === null || typeof timeouts !== "object" || Array.isArray(timeouts)) throw new Error(`${where} must be an object`);
  for (const [key, value] of Object.entries(timeouts)) {
    if (!TIMEOUT_FIELDS.has(key)) throw new Error(`${where}.${key} is not a timeout (use connectMs, firstByteMs, idleMs, totalMs)`);
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) throw new Error(`${where}.${key} must be a number of ms > 0`);
  }
  return Object.freeze({ ...(timeouts as Timeouts) });
}

/** Every strategy the options use, known before setup so only needed hooks are installed. */
function strategiesUsed(options: RouteOptions): Set<RouteStrategy> {
  const used = new Set<RouteStrategy>();
  for (const [alias, entry] of Object.entries(options.models)) {
    if (isRouteList(entry) || entry === null || typeof entry !== "object") continue;
    const s = strategyOf(entry.strategy, `models.${alias}.strategy`);
    if (s !== undefined) used.add(s);
    if (!Array.isArray(entry.rules)) continue;
    entry.rules.forEach((rule, i) => {
      const r = strategyOf(rule?.strategy, `models.${alias}.rules[${i}].strategy`);
      if (r !== undefined) used.add(r);
    });
  }
  return used;
}

/**
 * Model aliases: a request for `fast` becomes an ordered plan of provider targets, chosen by a
 * strategy (ordered, weighted, latency, least-in-flight), by rules on the request and the caller,
 * and by region. Everything is checked and compiled once, at build time.
 */
export function route(options: RouteOptions): RoutePlugin {
  if (!options || typeof options.models !== "object" || options.models === null) {
    throw new TypeError("route: options.models must be an object of alias → targets");
  }
  const random = options.random ?? Math.random;
  const exploration = options.latency?.exploration ?? 0.1;
  const alpha = options.latency?.alpha ?? 0.3;
  if (!(exploration >= 0 && exploration <= 1)) throw new TypeError("route: latency.exploration must be between 0 and 1");
  if (!(alpha > 0 && alpha <= 1)) throw new TypeError("route: latency.alpha must be in (0, 1]");
  const fallbackToAny = options.region?.fallback === "any";
  if (options.region?.fallback !== undefined && options.region.fallback !== "any" && options.region.fallback !== "none") {
    throw new TypeError('route: region.fallback must be "none" or "any"');
  }
  const regionOf = regionResolver(options.region);
  const used = strategiesUsed(options);
  const tracksLoad = used.has("latency") || used.has("least-in-flight");
  const tuning = { random, exploration };

  const aliases = new Map<string, CompiledAlias>();
  const table: Record<string, readonly Target[]> = {};
  const strategies: Record<string, RouteStrategy> = {};
  /** One stats record per provider/model, shared by every list that names it. */
  const statsByKey = new Map<string, TargetStats>();
  const statsByTarget = new Map<Target, TargetStats>();
  /** On a reload, the replaced route plugin's stats: latency averages and in-flight counts carry on. */
  let inherited: ReadonlyMap<string, TargetStats> | undefined;

  function compileTargets(list: unknown, where: string, app: SetupContext): Target[] {
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${where} must be a non-empty array of targets`);
    return list.map((target: RouteTarget, index) => {
      const at = `${where}[${index}]`;
      if (!target || typeof target.provider !== "string" || typeof target.model !== "string" || target.model.length === 0) {
        throw new Error(`${at} needs a provider and a model`);
      }
      if (!app.providers.has(target.provider)) {
        const known = [...app.providers.keys()].join(", ") || "none";
        throw new Error(`${at}.provider "${target.provider}" is not a configured provider (configured: ${known})`);
      }
      if (target.weight !== undefined && !(typeof target.weight === "number" && target.weight >= 0 && Number.isFinite(target.weight))) {
        throw new Error(`${at}.weight must be a number >= 0`);
      }
      if (target.region !== undefined && (typeof target.region !== "string" || target.region.length === 0)) throw new Error(`${at}.region must be a non-empty string`);
      const compiled: Target = Object.freeze({
        provider: target.provider,
        model: target.model,
        weight: target.weight,
        region: target.region,
        timeouts: checkTimeouts(target.timeouts, `${at}.timeouts`),
      });
      const key = `${compiled.provider}\u0000${compiled.model}`;
      let stats = statsByKey.get(key);
      if (stats === undefined) statsByKey.set(key, (stats = inherited?.get(key) ?? new TargetStats(compiled.provider, compiled.model)));
      statsByTarget.set(compiled, stats);
      return compiled;
    });
  }

  function candidates(strategy: RouteStrategy, targets: Target[], rest: Target[], where: string): Candidates {
    let cumulative: number[] | null = null;
    if (strategy === "weighted") {
      let sum = 0;
      cumulative = targets.map((t) => (sum += t.weight ?? 1));
      if (sum <= 0) throw new Error(`${where}: weights must not all be 0`);
    }
    return Object.freeze({
      strategy,
      targets: Object.freeze(targets),
      stats: Object.freeze(targets.map((t) => statsByTarget.get(t)!)),
      cumulative,
      rest: Object.freeze(rest),
      ordered: Object.freeze([...targets, ...rest]),
    });
  }

  function compileList(list: unknown, strategy: RouteStrategy | undefined, where: string, app: SetupContext): CompiledList {
    const targets = compileTargets(list, where, app);
    const chosen = strategy ?? (targets.some((t) => t.weight !== undefined) ? "weighted" : "ordered");
    const all = candidates(chosen, targets, [], where);
    const regions = new Set(targets.flatMap((t) => (t.region === undefined ? [] : [t.region])));
    if (regions.size === 0) return { all, byRegion: null };
    const byRegion = new Map<string, Candidates>();
    for (const region of regions) {
      const inside = targets.filter((t) => t.region === region);
      const outside = fallbackToAny ? targets.filter((t) => t.region !== region) : [];
      // Weighted picks among the region's own targets; all-zero weights there fall back to equal shares.
      const regional = chosen === "weighted" && inside.every((t) => t.weight === 0) ? "ordered" : chosen;
      byRegion.set(region, candidates(regional, inside, outside, `${where} (region ${region})`));
    }
    return { all, byRegion };
  }

  function candidatesFor(list: CompiledList, ctx: RequestContext): Candidates {
    if (list.byRegion === null) return list.all;
    const region = ctx.vars.routeRegion !== undefined ? ctx.vars.routeRegion : regionOf(ctx);
    if (region === null) return list.all;
    const regional = list.byRegion.get(region);
    if (regional !== undefined) return regional;
    if (fallbackToAny) return list.all;
    throw regionUnavailable(ctx.model, region, region !== ctx.principal?.region);
  }

  // Load tracking, installed only when a strategy reads it. An attempt counts as in flight from
  // its start until it fails or its request completes (a stream: when it ends).
  const live = new WeakSet<Attempt>();
  const settle = (attempt: Attempt): void => {
    if (live.delete(attempt)) statsByTarget.get(attempt.target)!.inFlight--;
  };
  const loadHooks: Partial<Plugin> = !tracksLoad
    ? {}
    : {
      onAttempt(_ctx, attempt) {
        const stats = statsByTarget.get(attempt.target);
        if (stats === undefined) return;
        stats.inFlight++;
        live.add(attempt);
      },
      onAttemptError: {
        // Observe only (no decision), ahead of the plugins that decide.
        order: "pre",
        handler(_ctx, attempt, error) {
          settle(attempt);
          // A target that timed out was at least that slow.
          if (hasCode(error, "upstream_timeout")) statsByTarget.get(attempt.target)?.observe(attempt.durationMs, alpha);
          return undefined;
        },
      },
      onResponse(ctx, response) {
        const attempt = ctx.attempts[ctx.attempts.length - 1];
        if (attempt === undefined) return undefined;
        if (attempt.firstByteMs >= 0) statsByTarget.get(attempt.target)?.observe(attempt.firstByteMs, alpha);
        // A JSON answer is whole already; onComplete comes a timer turn later, too late for a burst.
        if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) settle(attempt);
        return undefined;
      },
      onComplete(ctx) {
        for (const attempt of ctx.attempts) settle(attempt);
      },
    };

  // The region is checked against the key in onRequest, with the other policy checks and before a
  // cache lookup (which runs last), so a cached answer never goes to a caller the region refuses.
  const regionHooks: Partial<Plugin> = !usesRegions(options)
    ? {}
    : {
      onRequest(ctx) {
        if (ctx.surface !== "models" && aliases.has(ctx.model)) ctx.vars.routeRegion = regionOf(ctx);
        return undefined;
      },
    };

  const plugin = definePlugin<RoutePlugin>({
    name: "route",
    setup(app) {
      inherited = previousState<ReadonlyMap<string, TargetStats>>(app, TARGET_STATS);
      for (const [alias, entry] of Object.entries(options.models)) {
        const where = `models.${alias}`;
        let compiled: CompiledAlias;
        if (isRouteList(entry)) {
          compiled = { rules: [], list: compileList(entry, undefined, where, app) };
        } else {
          if (entry === null || typeof entry !== "object") throw new Error(`${where} must be an array of targets or { targets, strategy?, rules? }`);
          const strategy = strategyOf(entry.strategy, `${where}.strategy`);
          if (entry.rules !== undefined && !Array.isArray(entry.rules)) throw new Error(`${where}.rules must be an array`);
          const rules = (entry.rules ?? []).map((rule, i) => {
            const at = `${where}.rules[${i}]`;
            if (rule === null || typeof rule !== "object") throw new Error(`${at} must be { when, targets }`);
            return Object.freeze({
              when: compileCondition(rule.when, `${at}.when`),
              list: compileList(rule.targets, strategyOf(rule.strategy, `${at}.strategy`) ?? strategy, `${at}.targets`, app),
            });
          });
          compiled = { rules: Object.freeze(rules), list: compileList(entry.targets, strategy, `${where}.targets`, app) };
        }
        aliases.set(alias, compiled);
        table[alias] = compiled.list.all.ordered;
        strategies[alias] = compiled.list.all.strategy;
        app.addModel(alias);
      }
    },
    describe() {
      const rules = Object.fromEntries([...aliases].filter(([, a]) => a.rules.length > 0).map(([alias, a]) => [alias, a.rules.length]));
      return { routes: table, strategies, rules };
    },
    stats() {
      return [...statsByKey.values()];
    },
    api: {
      route: {
        routes: () => table,
        strategies: () => strategies,
        targets: () => [...statsByKey.values()].map((s) => ({ provider: s.provider, model: s.model, inFlight: s.inFlight, latencyMs: s.samples > 0 ? s.latencyMs : null })),
        tracksLoad,
      },
    },
    route(ctx) {
      const compiled = aliases.get(ctx.model);
      if (compiled === undefined) return undefined;
      let list = compiled.list;
      for (const rule of compiled.rules) {
        if (rule.when(ctx)) {
          list = rule.list;
          break;
        }
      }
      return plan(candidatesFor(list, ctx), tuning);
    },
    ...loadHooks,
    ...regionHooks,
  });
  offerState(plugin, TARGET_STATS, statsByKey);
  return plugin;
}

const TARGET_STATS = "route-target-stats";
