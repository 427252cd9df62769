import type { RequestContext } from "./context.ts";
import type { CompiledHook } from "./hook-runner.ts";
import { HOOK_NAMES, type HookFilter, type HookMap, type HookName, type Plugin } from "./plugin.ts";
import { satisfies } from "./semver.ts";

/** Thrown at build time for a plugin set that cannot work; the message says what to fix. */
export class PluginChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PluginChainError";
  }
}

/** Each hook kind as a frozen array, or null when no plugin has it (one comparison on the hot path). */
export type PluginChain = {
  readonly [K in HookName]: readonly CompiledHook<HookMap[K]>[] | null;
} & { readonly plugins: readonly Plugin[] };

const ENFORCE_RANK = { pre: 0, normal: 1, post: 2 } as const;

function compileFilter(filter: HookFilter | undefined): ((ctx: RequestContext) => boolean) | null {
  if (filter === undefined) return null;
  const surfaces = filter.surfaces && filter.surfaces.length > 0 ? new Set(filter.surfaces) : null;
  const operations = filter.operations && filter.operations.length > 0 ? new Set(filter.operations) : null;
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const m of filter.models ?? []) {
    if (typeof m === "string") exact.add(m);
    // A global or sticky RegExp keeps state between test() calls; drop those flags.
    else patterns.push(m.global || m.sticky ? new RegExp(m.source, m.flags.replace(/[gy]/g, "")) : m);
  }
  const anyModel = exact.size === 0 && patterns.length === 0;
  if (surfaces === null && operations === null && anyModel) return null;
  return (ctx) => {
    if (surfaces !== null && !surfaces.has(ctx.surface)) return false;
    if (operations !== null && (ctx.operation === null || !operations.has(ctx.operation))) return false;
    if (anyModel || exact.has(ctx.model)) return true;
    for (const p of patterns) if (p.test(ctx.model)) return true;
    return false;
  };
}

function validate(plugins: readonly Plugin[], coreVersion: string): void {
  const names = new Set<string>();
  plugins.forEach((plugin, index) => {
    if (plugin === null || typeof plugin !== "object") throw new PluginChainError(`plugins[${index}] is not a plugin object`);
    if (typeof plugin.name !== "string" || plugin.name.length === 0) {
      throw new PluginChainError(`plugins[${index}] has no name; every plugin needs a unique "name"`);
    }
    if (names.has(plugin.name)) throw new PluginChainError(`Duplicate plugin name "${plugin.name}"; plugin names must be unique`);
    names.add(plugin.name);
    if (plugin.enforce !== undefined && plugin.enforce !== "pre" && plugin.enforce !== "post") {
      throw new PluginChainError(`Plugin "${plugin.name}": enforce must be "pre" or "post"`);
    }
    for (const hookName of HOOK_NAMES) {
      const hook = plugin[hookName];
      if (hook == null) continue;
      const fn = typeof hook === "function" ? hook : (hook as { handler?: unknown }).handler;
      if (typeof fn !== "function") throw new PluginChainError(`Plugin "${plugin.name}": ${hookName} must be a function or { handler }`);
      const order = typeof hook === "object" ? hook.order : undefined;
      if (order !== undefined && order !== "pre" && order !== "post") {
        throw new PluginChainError(`Plugin "${plugin.name}": ${hookName}.order must be "pre" or "post"`);
      }
    }
  });
  for (const plugin of plugins) {
    const range = plugin.requires?.core;
    if (range !== undefined) {
      let ok: boolean;
      try {
        ok = satisfies(coreVersion, range);
      } catch (error) {
        throw new PluginChainError(`Plugin "${plugin.name}": requires.core "${range}" is not a valid version range`);
      }
      if (!ok) throw new PluginChainError(`Plugin "${plugin.name}" requires switchyard ${range}, but this is ${coreVersion}`);
    }
    for (const dependency of plugin.requires?.plugins ?? []) {
      if (!names.has(dependency)) {
        throw new PluginChainError(`Plugin "${plugin.name}" requires plugin "${dependency}", which is not installed`);
      }
    }
  }
}

/**
 * Sort, validate and compile the plugins into per-hook arrays, once, when the gateway is built.
 * Order: plugins by `enforce` (pre, normal, post), registration order within each; then inside a
 * hook kind by the hook's own `order`. `onResponse` runs in reverse, like unwinding middleware.
 */
export function buildPluginChain(input: readonly Plugin[], coreVersion: string): PluginChain {
  validate(input, coreVersion);
  const plugins = input
    .map((plugin, index) => ({ plugin, index }))
    .sort((x, y) => ENFORCE_RANK[x.plugin.enforce ?? "normal"] - ENFORCE_RANK[y.plugin.enforce ?? "normal"] || x.index - y.index)
    .map((entry) => entry.plugin);

  const chain: Record<string, unknown> = { plugins: Object.freeze(plugins) };
  for (const hookName of HOOK_NAMES) {
    const buckets: CompiledHook<any>[][] = [[], [], []];
    for (const plugin of plugins) {
      const hook = plugin[hookName];
      if (hook == null) continue;
      const isObject = typeof hook === "object";
      const fn = isObject ? hook.handler : hook;
      const order = isObject ? hook.order : undefined;
      const compiled: CompiledHook<any> = Object.freeze({
        // Bind so `this` inside a plugin's method hook is the plugin object.
        fn: (fn as (...args: unknown[]) => unknown).bind(plugin),
        plugin: plugin.name,
        hook: hookName,
        filter: compileFilter(isObject ? hook.filter : undefined),
      });
      buckets[order === "pre" ? 0 : order === "post" ? 2 : 1].push(compiled);
    }
    const ordered = buckets[0].concat(buckets[1], buckets[2]);
    if (hookName === "onResponse") ordered.reverse();
    chain[hookName] = ordered.length === 0 ? null : Object.freeze(ordered);
  }
  return Object.freeze(chain) as PluginChain;
}
