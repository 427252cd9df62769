import type { LogQueueStats } from "../../core/log-queue.ts";
import { type ExposedApi, pluginApis } from "../../core/plugin-api.ts";
import type { Plugin } from "../../core/plugin.ts";
import type { Sample } from "./registry.ts";

/** Numbers a circuit state maps to, so alerts can say `> 0`. */
export const CIRCUIT_STATE_VALUE: Readonly<Record<string, number>> = Object.freeze({ closed: 0, "half-open": 1, open: 2 });

/**
 * The other plugins whose state metrics exports, found once at setup through their `api`: any
 * plugin, built-in or community, that exposes the `log`, `circuitBreaker`, `rateLimit`,
 * `budget` or `guard` facet is exported, labelled with its plugin name.
 */
export class PluginSources {
  readonly logs: readonly ExposedApi<"log">[];
  readonly circuits: readonly ExposedApi<"circuitBreaker">[];
  readonly rateLimits: readonly ExposedApi<"rateLimit">[];
  readonly budgets: readonly ExposedApi<"budget">[];
  readonly guards: readonly ExposedApi<"guard">[];

  constructor(plugins: readonly Plugin[], private readonly report: (error: unknown, where: string) => void) {
    this.logs = pluginApis(plugins, "log");
    this.circuits = pluginApis(plugins, "circuitBreaker");
    this.rateLimits = pluginApis(plugins, "rateLimit");
    this.budgets = pluginApis(plugins, "budget");
    this.guards = pluginApis(plugins, "guard");
  }

  /** One family's samples from each log plugin; a plugin whose stats throw is reported and skipped. */
  *logSamples(field: keyof LogQueueStats): Iterable<Sample> {
    for (const { plugin, api } of this.logs) {
      const stats = this.read(plugin, () => api.stats());
      if (stats !== undefined) yield [[plugin], stats[field]];
    }
  }

  *circuitSamples(): Iterable<Sample> {
    for (const { plugin, api } of this.circuits) {
      for (const c of this.read(plugin, () => api.snapshot()) ?? []) yield [[c.provider, c.model], CIRCUIT_STATE_VALUE[c.state] ?? -1];
    }
  }

  *rateLimitSamples(): Iterable<Sample> {
    for (const { plugin, api } of this.rateLimits) {
      const stats = this.read(plugin, () => api.stats());
      if (stats !== undefined) yield [[plugin], stats.rejected];
    }
  }

  *budgetSamples(): Iterable<Sample> {
    for (const { plugin, api } of this.budgets) {
      const stats = this.read(plugin, () => api.stats());
      if (stats !== undefined) yield [[plugin], stats.rejected];
    }
  }

  /** A guard's refusals (`blocked`) or rewrites (`redacted`), by direction and reason. */
  *guardSamples(what: "blocked" | "redacted"): Iterable<Sample> {
    for (const { plugin, api } of this.guards) {
      const counts = this.read(plugin, () => api.stats())?.[what];
      if (counts === undefined) continue;
      for (const direction of ["input", "output"] as const) {
        for (const [reason, count] of Object.entries(counts[direction])) yield [[plugin, direction, reason], count];
      }
    }
  }

  private read<T>(plugin: string, call: () => T): T | undefined {
    try {
      return call();
    } catch (error) {
      this.report(error, `metrics: reading plugin "${plugin}"`);
      return undefined;
    }
  }
}
