import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { Target } from "../../core/types.ts";

export interface RouteTarget {
  provider: string;
  model: string;
  /** Relative share of first attempts. Without weights, list order is the plan. */
  weight?: number;
}

export interface RouteOptions {
  /** Alias → targets. The list order is the fallback order. */
  models: Record<string, RouteTarget[]>;
}

interface CompiledRoute {
  readonly targets: readonly Target[];
  /** Cumulative weights when any target has a weight; null for a plain ordered list. */
  readonly cumulative: readonly number[] | null;
}

/** Pick the first target by weight; the rest follow in list order as the fallback plan. */
function weightedPlan(route: CompiledRoute): readonly Target[] {
  const cumulative = route.cumulative!;
  const total = cumulative[cumulative.length - 1];
  const roll = Math.random() * total;
  let first = 0;
  while (cumulative[first] <= roll) first++;
  if (first === 0) return route.targets;
  const plan = [route.targets[first]];
  for (let i = 0; i < route.targets.length; i++) if (i !== first) plan.push(route.targets[i]);
  return plan;
}

/**
 * Model aliases: a request for `fast` becomes an ordered plan of provider targets. Aliases are
 * checked against the configured providers once, at build time.
 */
export function route(options: RouteOptions): Plugin {
  if (!options || typeof options.models !== "object" || options.models === null) {
    throw new TypeError("route: options.models must be an object of alias → targets");
  }
  const routes = new Map<string, CompiledRoute>();

  return definePlugin({
    name: "route",
    setup(app) {
      for (const [alias, list] of Object.entries(options.models)) {
        if (!Array.isArray(list) || list.length === 0) throw new Error(`models.${alias} must be a non-empty array of targets`);
        const targets = list.map((target, index) => {
          const where = `models.${alias}[${index}]`;
          if (!target || typeof target.provider !== "string" || typeof target.model !== "string" || target.model.length === 0) {
            throw new Error(`${where} needs a provider and a model`);
          }
          if (!app.providers.has(target.provider)) {
            const known = [...app.providers.keys()].join(", ") || "none";
            throw new Error(`${where}.provider "${target.provider}" is not a configured provider (configured: ${known})`);
          }
          if (target.weight !== undefined && !(typeof target.weight === "number" && target.weight >= 0 && Number.isFinite(target.weight))) {
            throw new Error(`${where}.weight must be a number >= 0`);
          }
          return Object.freeze({ provider: target.provider, model: target.model, weight: target.weight });
        });
        const weighted = targets.some((t) => t.weight !== undefined);
        let cumulative: number[] | null = null;
        if (weighted) {
          let sum = 0;
          cumulative = targets.map((t) => (sum += t.weight ?? 1));
          if (sum <= 0) throw new Error(`models.${alias}: weights must not all be 0`);
        }
        routes.set(alias, { targets: Object.freeze(targets), cumulative });
        app.addModel(alias);
      }
    },
    describe() {
      return { routes: Object.fromEntries([...routes].map(([alias, r]) => [alias, r.targets])) };
    },
    route(ctx) {
      const compiled = routes.get(ctx.model);
      if (compiled === undefined) return undefined;
      return compiled.cumulative === null ? compiled.targets : weightedPlan(compiled);
    },
  });
}
