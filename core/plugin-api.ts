/**
 * What plugins expose to one another (Rollup's `api` idea). A plugin sets `api` to an object with
 * the facets it implements; a reader (metrics, the CLI, a community dashboard) asks for a facet
 * with `pluginApis(plugins, "rateLimit")` and gets typed data, never a guess at a plugin's shape.
 *
 * A community plugin adds its own facet by augmentation, and names it after its package so it
 * cannot collide:
 *
 * ```ts
 * declare module "switchyard" {
 *   interface PluginApi { "switchyard-plugin-audit"?: { pending(): number } }
 * }
 * ```
 */
import type { LogQueueStats } from "./log-queue.ts";
import type { LogReader } from "./log-sink.ts";
import type { Plugin } from "./plugin.ts";
import type { Target } from "./types.ts";

/** A log plugin: its queues, summed and per sink, and where the records go. */
export interface LogApi {
  /** Every queue of the plugin together. */
  stats(): LogQueueStats;
  /** Each sink's queue, by sink name. */
  sinks(): Readonly<Record<string, LogQueueStats>>;
  /** Where records go, one entry per sink (a file path, a URL, a table), for startup summaries. */
  readonly targets: readonly string[];
  /** The first sink that can search what it stored (`postgresSink`), by name; null when none can. */
  readonly reader?: { readonly sink: string; readonly reader: LogReader } | null;
}

export type CircuitState = "closed" | "open" | "half-open";

export interface CircuitSnapshot {
  readonly provider: string;
  readonly model: string;
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** Outcomes and failures in the current window. */
  readonly requests: number;
  readonly failures: number;
  /** ms until an open circuit lets a probe through; 0 otherwise. */
  readonly retryInMs: number;
}

/** A circuit breaker: one circuit per target. */
export interface CircuitBreakerApi {
  /** The state of one target's circuit (`closed` for a target never seen). */
  state(provider: string, model: string): CircuitState;
  /** Every tracked circuit. */
  snapshot(): readonly CircuitSnapshot[];
}

/** A limiter's counts since start. */
export interface RateLimitApi {
  stats(): Readonly<{ allowed: number; rejected: number }>;
}

export interface BudgetApi {
  /** Requests refused because their budget was spent, and USD this instance charged. */
  stats(): Readonly<{ rejected: number; chargedUsd: number }>;
}

/**
 * An admin API: who its admins are, and its calls on behalf of one already known. The dashboard
 * logs admins in with it and serves its key and team pages through it, so both share one set
 * of checks, one audit trail and one store.
 */
export interface AdminApi {
  /** Where the API is served (`/admin/v1`). */
  readonly path: string;
  /** The admin id a presented secret belongs to; undefined for anything else (a virtual key too). */
  authenticate(secret: string): string | undefined;
  /** Answer a call to the API (its URL under `path`) as the admin `actor`, without asking for a key. */
  handle(request: Request, actor: string): Promise<Response>;
}

/** What a router knows per target: its load and latency, when a strategy tracks them. */
export interface RouteTargetStats {
  readonly provider: string;
  readonly model: string;
  readonly inFlight: number;
  /** EWMA of time to first byte in ms; null before any sample. */
  readonly latencyMs: number | null;
}

/** A router: its table as configured, and the load it tracks. */
export interface RouteApi {
  /** Alias → its targets, in fallback order. */
  routes(): Readonly<Record<string, readonly Target[]>>;
  /** The routing strategy of each alias. */
  strategies(): Readonly<Record<string, string>>;
  /** Per target; in-flight and latency stay 0 and null unless an alias uses a load-aware strategy. */
  targets(): readonly RouteTargetStats[];
  /** Whether `targets()` counts in-flight attempts and latency (a load-aware strategy is configured). */
  readonly tracksLoad: boolean;
}

/** Every facet a plugin may expose; each optional. Augment it for facets of your own. */
export interface PluginApi {
  admin?: AdminApi;
  route?: RouteApi;
  log?: LogApi;
  circuitBreaker?: CircuitBreakerApi;
  rateLimit?: RateLimitApi;
  budget?: BudgetApi;
}

export type PluginApiName = keyof PluginApi;

/** One plugin's facet, with the plugin's name (metrics label their series with it). */
export interface ExposedApi<K extends PluginApiName> {
  readonly plugin: string;
  readonly api: NonNullable<PluginApi[K]>;
}

/** The plugins that expose `facet`, in run order. Read once at setup: `api` does not change. */
export function pluginApis<K extends PluginApiName>(plugins: readonly Plugin[], facet: K): ExposedApi<K>[] {
  const out: ExposedApi<K>[] = [];
  for (const plugin of plugins) {
    const api = plugin.api?.[facet];
    if (api != null) out.push({ plugin: plugin.name, api: api as NonNullable<PluginApi[K]> });
  }
  return out;
}
