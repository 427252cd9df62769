import type { FaultClass } from "../../core/errors.ts";
import { BUCKETS, bucketOf, quantile } from "./histogram.ts";

export const FAULTS: readonly FaultClass[] = ["client", "policy", "provider", "gateway"];

// One slot's fields, laid out in one Float64Array: counters, then the two histograms.
const REQUESTS = 0;
const ERRORS = 1; // 4 fault classes
const INPUT_TOKENS = 5;
const OUTPUT_TOKENS = 6;
const COST = 7;
const LATENCY = 8;
const TTFT = LATENCY + BUCKETS;
const FIELDS = TTFT + BUCKETS;

/** What one request adds to its slot. */
export interface Observation {
  /** Wall clock at completion, ms since epoch. */
  readonly at: number;
  readonly fault: FaultClass | null;
  readonly totalMs: number;
  /** Time to the first upstream byte; negative when none came. */
  readonly firstByteMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** One slot of the series as the charts read it. */
export interface SeriesPoint {
  /** The slot's start, seconds since epoch. */
  readonly t: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly ttft50: number | null;
  readonly ttft95: number | null;
  readonly ttft99: number | null;
  /** Share of requests that failed, per fault class (0..1). */
  readonly errors: Readonly<Record<FaultClass, number>>;
  readonly tokensPerMin: number;
  readonly costPerMin: number;
}

/** What a slot of the ring, or a bucket of stored history, adds up to. */
export interface Totals {
  readonly requests: number;
  readonly faults: Readonly<Record<FaultClass, number>>;
  readonly totalMs: Percentiles | null;
  readonly firstByteMs: Percentiles | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Totals over `spanMs` as the charts read them: rates per second and minute, fault shares. */
export function seriesPoint(t: number, spanMs: number, totals: Totals): SeriesPoint {
  const { requests, faults } = totals;
  const share = (n: number): number => (requests === 0 ? 0 : n / requests);
  const perMin = 60_000 / spanMs;
  return {
    t,
    requests,
    rps: requests / (spanMs / 1000),
    p50: totals.totalMs?.p50 ?? null,
    p95: totals.totalMs?.p95 ?? null,
    p99: totals.totalMs?.p99 ?? null,
    ttft50: totals.firstByteMs?.p50 ?? null,
    ttft95: totals.firstByteMs?.p95 ?? null,
    ttft99: totals.firstByteMs?.p99 ?? null,
    errors: { client: share(faults.client), policy: share(faults.policy), provider: share(faults.provider), gateway: share(faults.gateway) },
    tokensPerMin: (totals.inputTokens + totals.outputTokens) * perMin,
    costPerMin: totals.costUsd * perMin,
  };
}

/**
 * The last hour (or what `slots × slotMs` covers) of request counters in a ring of fixed slots.
 * Recording adds to one slot's numbers; percentiles and rates are computed only when read.
 */
export class Series {
  private readonly data: Float64Array;
  /** The slot number (time / slotMs) each ring position holds; a stale one is cleared on reuse. */
  private readonly epochs: Float64Array;

  constructor(readonly slots: number, readonly slotMs: number) {
    this.data = new Float64Array(slots * FIELDS);
    this.epochs = new Float64Array(slots).fill(-1);
  }

  private slot(epoch: number): number {
    const index = epoch % this.slots;
    if (this.epochs[index] !== epoch) {
      this.data.fill(0, index * FIELDS, index * FIELDS + FIELDS);
      this.epochs[index] = epoch;
    }
    return index * FIELDS;
  }

  record(o: Observation): void {
    const base = this.slot(Math.floor(o.at / this.slotMs));
    const d = this.data;
    d[base + REQUESTS]++;
    if (o.fault !== null) d[base + ERRORS + FAULTS.indexOf(o.fault)]++;
    d[base + INPUT_TOKENS] += o.inputTokens;
    d[base + OUTPUT_TOKENS] += o.outputTokens;
    d[base + COST] += o.costUsd;
    d[base + LATENCY + bucketOf(o.totalMs)]++;
    if (o.firstByteMs >= 0) d[base + TTFT + bucketOf(o.firstByteMs)]++;
  }

  /** The sum of the slots from `fromEpoch` to `toEpoch` (inclusive) that hold data of that time. */
  private sum(fromEpoch: number, toEpoch: number): Float64Array {
    const out = new Float64Array(FIELDS);
    for (let epoch = Math.max(fromEpoch, toEpoch - this.slots + 1); epoch <= toEpoch; epoch++) {
      const index = epoch % this.slots;
      if (this.epochs[index] !== epoch) continue;
      const base = index * FIELDS;
      for (let f = 0; f < FIELDS; f++) out[f] += this.data[base + f];
    }
    return out;
  }

  private point(t: number, d: Float64Array, spanMs: number): SeriesPoint {
    // A histogram without observations has no quantile: all three are null together.
    const percentiles = (offset: number): Percentiles | null => {
      const p50 = quantile(d, offset, 0.5);
      return p50 === null ? null : { p50, p95: quantile(d, offset, 0.95)!, p99: quantile(d, offset, 0.99)! };
    };
    return seriesPoint(t, spanMs, {
      requests: d[REQUESTS],
      faults: { client: d[ERRORS], policy: d[ERRORS + 1], provider: d[ERRORS + 2], gateway: d[ERRORS + 3] },
      totalMs: percentiles(LATENCY),
      firstByteMs: percentiles(TTFT),
      inputTokens: d[INPUT_TOKENS],
      outputTokens: d[OUTPUT_TOKENS],
      costUsd: d[COST],
    });
  }

  /** The whole window ending in `now`'s slot, one point per slot, oldest first (empty slots as zeros). */
  points(now: number, last = this.slots): SeriesPoint[] {
    const current = Math.floor(now / this.slotMs);
    const out: SeriesPoint[] = [];
    for (let epoch = current - Math.min(last, this.slots) + 1; epoch <= current; epoch++) {
      out.push(this.point((epoch * this.slotMs) / 1000, this.sum(epoch, epoch), this.slotMs));
    }
    return out;
  }

  /** One point over the last `spanMs` up to `now` (the headline figures). */
  window(now: number, spanMs: number): SeriesPoint {
    const current = Math.floor(now / this.slotMs);
    const count = Math.max(1, Math.round(spanMs / this.slotMs));
    return this.point(((current - count + 1) * this.slotMs) / 1000, this.sum(current - count + 1, current), count * this.slotMs);
  }
}
