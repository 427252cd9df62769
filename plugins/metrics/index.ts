import type { RequestContext } from "../../core/context.ts";
import { hasCode } from "../../core/error-codes.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { ServerControl } from "../../core/server-control.ts";
import { offerState, previousState } from "../handover.ts";
import type { ModelEntry, Target } from "../../core/types.ts";
import { CONTENT_TYPE } from "./exposition.ts";
import { Registry, SEPARATOR, seriesKey } from "./registry.ts";
import { PluginSources } from "./sources.ts";
import { ModelLabels } from "./labels.ts";
import { scrapeGuard } from "./scrape-auth.ts";

export { OTHER_MODEL, UNROUTED } from "./labels.ts";

export { CONTENT_TYPE as PROMETHEUS_CONTENT_TYPE, escapeLabelValue } from "./exposition.ts";
export type { LogQueueStats } from "../../core/log-queue.ts";

export interface MetricsOptions {
  /** Where the Prometheus text is served. Default `/metrics`. */
  path?: string;
  /** Bucket bounds in seconds for the total-latency and time-to-first-byte histograms. */
  buckets?: readonly number[];
  /** Bucket bounds in seconds for the gateway-overhead histogram (total minus time upstream). */
  overheadBuckets?: readonly number[];
  /** Most label sets per metric; past it, samples go to an `_overflow` series and are counted. Default 2 000. */
  maxSeries?: number;
  /**
   * When set, a scrape must send `Authorization: Bearer <token>` (at least 16 characters; other
   * requests get 401). Without it the path is open: keep it behind your network's access control.
   */
  token?: string;
}

export interface MetricsPlugin extends Plugin {
  /** The Prometheus text `GET <path>` serves. */
  render(): string;
}

export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]);
export const DEFAULT_OVERHEAD_BUCKETS: readonly number[] = Object.freeze([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]);

const ROUTE = ["route", "provider", "model"] as const;
const TOKEN_TYPES = ["input", "output", "cached", "cache_write", "reasoning"] as const;
const STATUS_LABELS: readonly string[] = Array.from({ length: 600 }, (_, i) => String(i));


/** The target that answered, or the last one tried when none did. */
function targetOf(ctx: RequestContext): Target | null {
  if (ctx.served !== null) return ctx.served;
  for (let i = ctx.attempts.length - 1; i >= 0; i--) if (ctx.attempts[i].outcome !== "skipped") return ctx.attempts[i].target;
  return null;
}

/** ms spent in upstream calls, so the rest of the request's time is the gateway's own. */
function upstreamMs(ctx: RequestContext): number {
  let total = 0;
  for (const attempt of ctx.attempts) if (attempt.outcome !== "skipped" && attempt.durationMs > 0) total += attempt.durationMs;
  return total;
}

/**
 * Prometheus metrics at `GET /metrics` (names prefixed `switchyard_`): requests by route,
 * provider, model, status and fault class; latency histograms (total, time to first byte,
 * gateway overhead); tokens; cost; upstream attempts; requests in flight; and, read from other
 * plugins at scrape time through their `api` (`pluginApis`): log queues, circuit states and
 * rate-limit, budget and guard refusals. Recording happens in `onComplete`, after the response has gone.
 */
export function metrics(options: MetricsOptions = {}): MetricsPlugin {
  const path = options.path ?? "/metrics";
  const maxSeries = options.maxSeries ?? 2_000;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) throw new TypeError("metrics: maxSeries must be a positive integer");
  const registry = new Registry(maxSeries);
  const guard = scrapeGuard(options.token);
  const buckets = options.buckets ?? DEFAULT_BUCKETS;

  const requests = registry.counter("switchyard_requests_total", "Requests answered, by requested route, serving provider and model, status and fault class.", [...ROUTE, "status", "fault"]);
  const duration = registry.histogram("switchyard_request_duration_seconds", "Time from arrival to the end of the response (stream end for streams).", ROUTE, buckets);
  const firstByte = registry.histogram("switchyard_time_to_first_byte_seconds", "Time from arrival to the first byte of the upstream response.", ROUTE, buckets);
  const overhead = registry.histogram(
    "switchyard_gateway_overhead_seconds",
    "Time the gateway itself spent on a request: total minus time in upstream calls.",
    ROUTE,
    options.overheadBuckets ?? DEFAULT_OVERHEAD_BUCKETS,
  );
  const tokens = registry.counter("switchyard_tokens_total", "Tokens the providers reported; cached and cache_write are part of input, reasoning part of output.", [...ROUTE, "type"]);
  const cost = registry.counter("switchyard_cost_usd_total", "What requests cost in USD (from the cost plugin).", ROUTE);
  const attempts = registry.counter("switchyard_upstream_attempts_total", "Upstream attempts by target and outcome (ok, error, skipped).", ["provider", "model", "outcome"]);
  const rateLimited = registry.counter(
    "switchyard_rate_limited_requests_total",
    "Requests answered 429 rate_limit_exceeded, by route and fault (policy: a gateway limiter; provider: the upstream's).",
    ["route", "fault"],
  );

  let inFlight = (): number => 0;
  let catalog: () => readonly ModelEntry[] = () => [];
  let sources: PluginSources | null = null;
  registry.collected("switchyard_requests_in_flight", "Requests begun and not finished; streams count until they end.", "gauge", [], () => [[[], inFlight()]]);
  registry.collected("switchyard_log_queue_depth", "Log records waiting in a log plugin's queue.", "gauge", ["plugin"], () => sources?.logSamples("queued") ?? []);
  registry.collected("switchyard_log_queue_capacity", "The maximum length of a log plugin's queue.", "gauge", ["plugin"], () => sources?.logSamples("capacity") ?? []);
  registry.collected("switchyard_log_records_dropped_total", "Log records dropped because the queue was full.", "counter", ["plugin"], () => sources?.logSamples("dropped") ?? []);
  registry.collected("switchyard_log_records_written_total", "Log records the sinks accepted.", "counter", ["plugin"], () => sources?.logSamples("written") ?? []);
  registry.collected("switchyard_log_write_failures_total", "Sink writes that failed (each retry counts).", "counter", ["plugin"], () => sources?.logSamples("failedWrites") ?? []);
  registry.collected("switchyard_circuit_state", "Circuit state per target: 0 closed, 1 half-open, 2 open.", "gauge", ["provider", "model"], () => sources?.circuitSamples() ?? []);
  registry.collected("switchyard_rate_limit_rejections_total", "Requests a rate limiter refused, by limiter.", "counter", ["limiter"], () => sources?.rateLimitSamples() ?? []);
  registry.collected("switchyard_budget_rejections_total", "Requests a budget refused, by budget.", "counter", ["budget"], () => sources?.budgetSamples() ?? []);
  registry.collected("switchyard_guard_blocks_total", "Requests and answers a guard refused, by guard, direction (input, output) and reason (email, phone, card, iban, secret, term, tokens).", "counter", ["guard", "direction", "reason"], () => sources?.guardSamples("blocked") ?? []);
  registry.collected("switchyard_guard_redactions_total", "Values a guard redacted, by guard, direction and kind.", "counter", ["guard", "direction", "reason"], () => sources?.guardSamples("redacted") ?? []);
  let server: ServerControl | undefined;
  registry.collected("switchyard_config_version", "The config version serving: 1 at start, one more per successful reload.", "gauge", [], () => (server === undefined ? [] : [[[], server.status().version]]));
  registry.collected("switchyard_config_reloads_total", "Config reloads, by result (ok, failed: the previous config kept serving).", "counter", ["result"], () => {
    if (server === undefined) return [];
    const status = server.status();
    return [[["ok"], status.reloads], [["failed"], status.failedReloads]];
  });
  registry.collected("switchyard_config_last_reload_success", "Whether the last reload succeeded (1) or was refused (0); absent before the first.", "gauge", [], () => {
    const last = server?.status().lastReload;
    return last == null ? [] : [[[], last.ok ? 1 : 0]];
  });
  registry.collected("switchyard_metrics_series_overflow_total", "Samples recorded into the _overflow series because a metric reached maxSeries label sets.", "counter", ["metric"], () =>
    registry.overflows());

  const names = new ModelLabels(() => catalog());

  function record(ctx: RequestContext): void {
    if (ctx.surface === "models") return;
    const target = targetOf(ctx);
    const route = names.route(ctx);
    const provider = target === null ? "" : target.provider;
    const model = target === null ? "" : names.model(ctx, target);
    const status = STATUS_LABELS[ctx.status] ?? String(ctx.status);
    const fault = ctx.error === null ? "none" : ctx.error.fault;
    const labels = [route, provider, model];
    const key = seriesKey(labels);

    requests.inc([route, provider, model, status, fault], 1, key + SEPARATOR + status + SEPARATOR + fault);
    const totalMs = ctx.durationMs;
    duration.observe(labels, totalMs / 1000, key);
    if (ctx.firstByteMs >= 0) firstByte.observe(labels, ctx.firstByteMs / 1000, key);
    const own = totalMs - upstreamMs(ctx);
    overhead.observe(labels, own > 0 ? own / 1000 : 0, key);

    const usage = ctx.usage;
    if (usage !== null) {
      const counts = [usage.inputTokens, usage.outputTokens, usage.cachedTokens, usage.cacheWriteTokens, usage.reasoningTokens];
      for (let i = 0; i < TOKEN_TYPES.length; i++) {
        if (counts[i] > 0) tokens.inc([route, provider, model, TOKEN_TYPES[i]], counts[i], key + SEPARATOR + TOKEN_TYPES[i]);
      }
    }
    const usd = ctx.vars.costUsd;
    if (typeof usd === "number") cost.inc(labels, usd, key);
    for (const attempt of ctx.attempts) attempts.inc([attempt.target.provider, names.model(ctx, attempt.target), attempt.outcome]);
    if (ctx.status === 429 && ctx.error !== null && hasCode(ctx.error, "rate_limit_exceeded")) rateLimited.inc([route, ctx.error.fault]);
  }

  const plugin = definePlugin<MetricsPlugin>({
    name: "metrics",
    setup(app) {
      // On a reload, counters and histograms go on from the replaced plugin's values.
      const previous = previousState<Registry>(app, REGISTRY);
      if (previous !== undefined) registry.adopt(previous);
      server = app.server;
      sources = new PluginSources(app.plugins, app.report);
      inFlight = () => app.inFlight;
      catalog = () => app.models();
      app.addRoute("GET", path, (request) => guard(request) ?? new Response(registry.render(), { headers: { "content-type": CONTENT_TYPE } }));
    },
    render: () => registry.render(),
    describe: () => ({ path, maxSeries, authenticated: options.token !== undefined }),
    // After every other onComplete hook, so the cost plugin's `costUsd` is there to read.
    onComplete: { order: "post", handler: record },
  });
  offerState(plugin, REGISTRY, registry);
  return plugin;
}

const REGISTRY = "metrics-registry";
