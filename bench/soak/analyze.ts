/**
 * The soak's verdict: after the warm-up, fit a least-squares line to gateway RSS and to the p99
 * latency of each load window, and compare the line's value at the end of the run with its value
 * at the first post-warm-up point. A line, not two raw samples, so one GC or one noisy window
 * cannot decide the result.
 */
import { fitLine } from "../lib/stats.ts";

/** One line of bench/soak/sampler.mjs. */
export interface MemorySample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

/** One line of bench/soak/load.ts. */
export interface LoadWindow {
  t: number;
  finished: number;
  failures: number;
  aborted: number;
  inFlight: number;
  skipped: number;
  byKind: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  ttftP99Ms: number | null;
  failureSamples: string[];
}

export interface Thresholds {
  /** Largest allowed RSS growth over the measured part, as a fraction (0.05 = 5%). */
  memory: number;
  /** Largest allowed p99 drift, as a fraction. */
  p99: number;
  /** When false the p99 verdict is reported but does not fail the run. */
  p99Gates: boolean;
  /** Largest allowed share of failed requests. */
  failures: number;
  /** When false the failure check is reported but does not fail the run. */
  failuresGate: boolean;
}

export interface Trend {
  /** Fitted value at the first post-warm-up point and at the end. */
  start: number;
  end: number;
  /** (end - start) / start. */
  change: number;
  /** Fitted change per minute. */
  slopePerMinute: number;
  points: number;
}

export interface Check {
  name: string;
  figure: number | null;
  threshold: number;
  gating: boolean;
  pass: boolean;
  detail: string;
}

export interface SoakAnalysis {
  startedAt: number;
  endedAt: number;
  warmupMs: number;
  rss: Trend | null;
  heapUsed: Trend | null;
  external: Trend | null;
  p99: Trend | null;
  requests: number;
  failures: number;
  aborted: number;
  skipped: number;
  eventLoopP99Ms: { mean: number; max: number } | null;
  checks: Check[];
  pass: boolean;
}

/** The default warm-up: a fifth of the run, and at least a minute for runs of five minutes or more. */
export function defaultWarmupMs(minutes: number): number {
  const fifth = minutes * 60_000 * 0.2;
  return minutes >= 5 ? Math.max(60_000, fifth) : fifth;
}

/**
 * (end - start) / start; when the fitted line starts at or below zero (a wild series, such as p99
 * on an overloaded machine, can fit that way) the change is taken against the series' mean instead,
 * so a rise still reads as growth rather than as a negative or undefined ratio.
 */
function relativeChange(start: number, end: number, measured: readonly (readonly [number, number])[]): number {
  if (start > 0) return (end - start) / start;
  if (end === start) return 0;
  const mean = measured.reduce((sum, [, y]) => sum + y, 0) / measured.length;
  return mean > 0 ? (end - start) / mean : end > start ? Number.POSITIVE_INFINITY : 0;
}

/** Fit y over minutes since `from`, from `from` on; the change is judged between `from` and `to`. */
export function trend(points: readonly (readonly [number, number])[], from: number, to: number): Trend | null {
  const measured = points.filter(([t]) => t >= from && t <= to).map(([t, y]) => [(t - from) / 60_000, y] as const);
  const line = fitLine(measured);
  if (line === null) return null;
  const start = line.at(0);
  const end = line.at((to - from) / 60_000);
  return { start, end, change: relativeChange(start, end, measured), slopePerMinute: line.slope, points: measured.length };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function analyze(samples: readonly MemorySample[], windows: readonly LoadWindow[], startedAt: number, endedAt: number, warmupMs: number, limits: Thresholds): SoakAnalysis {
  const from = startedAt + warmupMs;
  const series = (pick: (s: MemorySample) => number): Trend | null => trend(samples.map((s) => [s.t, pick(s)] as const), from, endedAt);
  const rss = series((s) => s.rss);
  const p99Points = windows.filter((w) => w.p99Ms !== null).map((w) => [w.t, w.p99Ms as number] as const);
  const p99 = trend(p99Points, from, endedAt);
  const measured = samples.filter((s) => s.t >= startedAt && s.t <= endedAt);
  const loop = measured.map((s) => s.loopP99Ms);
  const requests = windows.reduce((n, w) => n + w.finished, 0);
  const failures = windows.reduce((n, w) => n + w.failures, 0);

  const checks: Check[] = [
    {
      name: "RSS growth after warm-up",
      figure: rss?.change ?? null,
      threshold: limits.memory,
      gating: true,
      pass: rss !== null && rss.change <= limits.memory,
      detail: rss === null ? "too few memory samples after warm-up" : `${(rss.start / 2 ** 20).toFixed(1)} → ${(rss.end / 2 ** 20).toFixed(1)} MiB (${pct(rss.change)}, limit ${pct(limits.memory)})`,
    },
    {
      name: "p99 latency drift after warm-up",
      figure: p99?.change ?? null,
      threshold: limits.p99,
      gating: limits.p99Gates,
      pass: p99 !== null && p99.change <= limits.p99,
      detail: p99 === null ? "too few load windows after warm-up" : `${p99.start.toFixed(1)} → ${p99.end.toFixed(1)} ms (${pct(p99.change)}, limit ${pct(limits.p99)}${limits.p99Gates ? "" : ", advisory"})`,
    },
    {
      name: "failed requests",
      figure: requests === 0 ? null : failures / requests,
      threshold: limits.failures,
      gating: limits.failuresGate,
      pass: requests > 0 && failures / requests <= limits.failures,
      detail: `${failures} of ${requests} (limit ${pct(limits.failures)})`,
    },
  ];
  return {
    startedAt,
    endedAt,
    warmupMs,
    rss,
    heapUsed: series((s) => s.heapUsed),
    external: series((s) => s.external),
    p99,
    requests,
    failures,
    aborted: windows.reduce((n, w) => n + w.aborted, 0),
    skipped: windows.length === 0 ? 0 : windows[windows.length - 1].skipped,
    eventLoopP99Ms: loop.length === 0 ? null : { mean: loop.reduce((a, b) => a + b, 0) / loop.length, max: Math.max(...loop) },
    checks,
    pass: checks.every((c) => c.pass || !c.gating),
  };
}
