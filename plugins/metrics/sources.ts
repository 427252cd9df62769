import type { LogQueueStats } from "../../core/log-queue.ts";
import type { Plugin } from "../../core/plugin.ts";
import type { Sample } from "./registry.ts";

/**
 * Any plugin with a `logStats()` of the log queue's shape is exported, whichever package it comes
 * from (the check is structural, at setup).
 */
export interface LogStatsSource {
  readonly name: string;
  logStats(): LogQueueStats;
}

interface CircuitSource {
  readonly name: string;
  snapshot(): readonly { provider: string; model: string; state: string }[];
}

interface RateLimitSource {
  readonly name: string;
  stats(): { allowed: number; rejected: number };
}

interface BudgetSource {
  readonly name: string;
  stats(): { rejected: number; chargedUsd: number };
}

/** Numbers a circuit state maps to, so alerts can say `> 0`. */
export const CIRCUIT_STATE_VALUE: Readonly<Record<string, number>> = Object.freeze({ closed: 0, "half-open": 1, open: 2 });

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === "function";

/** The other plugins whose state metrics exports, found once at setup. */
export class PluginSources {
  readonly logs: LogStatsSource[] = [];
  readonly circuits: CircuitSource[] = [];
  readonly rateLimits: RateLimitSource[] = [];
  readonly budgets: BudgetSource[] = [];

  constructor(plugins: readonly Plugin[], private readonly report: (error: unknown, where: string) => void) {
    for (const plugin of plugins) {
      const candidate = plugin as Plugin & Record<string, unknown>;
      if (isFunction(candidate.logStats)) this.logs.push(candidate as unknown as LogStatsSource);
      if (isFunction(candidate.snapshot) && isFunction(candidate.state)) this.circuits.push(candidate as unknown as CircuitSource);
      if (isFunction(candidate.stats)) {
        const stats = this.read(plugin.name, () => (candidate.stats as () => unknown)());
        if (isRecord(stats) && typeof stats.allowed === "number" && typeof stats.rejected === "number") this.rateLimits.push(candidate as unknown as RateLimitSource);
        else if (isRecord(stats) && typeof stats.chargedUsd === "number" && typeof stats.rejected === "number") this.budgets.push(candidate as unknown as BudgetSource);
      }
    }
  }

  /** One family's samples from each log plugin; a plugin whose stats throw is reported and skipped. */
  *logSamples(field: keyof LogQueueStats): Iterable<Sample> {
    for (const source of this.logs) {
      const stats = this.read(source.name, () => source.logStats());
      if (stats !== undefined && typeof stats[field] === "number") yield [[source.name], stats[field]];
    }
  }

  *circuitSamples(): Iterable<Sample> {
    for (const source of this.circuits) {
      const circuits = this.read(source.name, () => source.snapshot()) ?? [];
      for (const c of circuits) yield [[c.provider, c.model], CIRCUIT_STATE_VALUE[c.state] ?? -1];
    }
  }

  *rateLimitSamples(): Iterable<Sample> {
    for (const source of this.rateLimits) {
      const stats = this.read(source.name, () => source.stats());
      if (stats !== undefined) yield [[source.name], stats.rejected];
    }
  }

  *budgetSamples(): Iterable<Sample> {
    for (const source of this.budgets) {
      const stats = this.read(source.name, () => source.stats());
      if (stats !== undefined) yield [[source.name], stats.rejected];
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
