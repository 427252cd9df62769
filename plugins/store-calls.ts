import type { RequestContext } from "../core/context.ts";
import type { Plugin } from "../core/plugin.ts";

/**
 * Store calls side by side. Plugins that check a networked store (rate limits, budgets, the
 * cache) run one after another in `onRequest`, and each would wait its own round trip (under a
 * hanging Redis, its own timeout). Instead the first of them to run starts every such plugin's
 * store calls for the request at once; each still decides in its own turn, from calls already
 * under way, so the request waits about one round trip in all. A plugin whose turn never comes
 * (an earlier one refused the request) gives back what its calls took when the request completes.
 */

export type EarlyStart = (ctx: RequestContext) => void;

const starters = new WeakMap<Plugin, EarlyStart>();

/** Let peers start this plugin's store calls for a request (`start` must be idempotent per request). */
export function offerEarlyStart(plugin: Plugin, start: EarlyStart): void {
  starters.set(plugin, start);
}

/** At setup: every plugin's early start in the gateway, this plugin's included; empty when it has no peers. */
export function earlyStarts(plugins: readonly Plugin[]): readonly EarlyStart[] {
  const found: EarlyStart[] = [];
  for (const plugin of plugins) {
    const start = starters.get(plugin);
    if (start !== undefined) found.push(start);
  }
  return found.length > 1 ? found : [];
}

/** A store that can be unreachable talks to a server: its calls are worth starting early. */
export function isNetworked(store: { available?(): boolean }): boolean {
  return typeof store.available === "function";
}
