import type { LogHistoryBucket } from "../../core/log-sink.ts";
import { type SeriesPoint, seriesPoint, type Totals } from "./series.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The ranges the Overview offers by name; `1h` is the live ring's, the others the log store's. */
export const RANGES: Readonly<Record<string, number>> = Object.freeze({ "1h": HOUR, "6h": 6 * HOUR, "24h": DAY, "7d": 7 * DAY });
/** Longest range a `from`/`to` call may ask for. */
export const MAX_RANGE_MS = 31 * DAY;
/** A chart a few hundred pixels wide has no use for more points; buckets grow until a range fits. */
export const MAX_POINTS = 360;
const BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((minutes) => minutes * MINUTE);

/** The finest bucket that cuts `spanMs` into at most MAX_POINTS: 1 min up to 6 h, 5 min for a day, 30 min for a week. */
export function bucketFor(spanMs: number): number {
  return BUCKETS.find((bucket) => spanMs / bucket <= MAX_POINTS) ?? BUCKETS[BUCKETS.length - 1];
}

export interface HistoryRange {
  /** The named range asked for, or null for `from`/`to`. */
  readonly name: string | null;
  /** On bucket boundaries, so points fall on round times. */
  readonly from: number;
  readonly to: number;
  readonly bucketMs: number;
}

function instant(value: string): number {
  // Milliseconds since epoch, or an ISO 8601 date.
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

/**
 * The range a history call asks for: `range=6h` (ending with the current bucket), or `from` and
 * `to` (ISO 8601 or ms since epoch); `1h` when it names none. A string says what is wrong.
 */
export function historyRange(params: URLSearchParams, now: number): HistoryRange | string {
  const name = params.get("range");
  const fromText = params.get("from");
  const toText = params.get("to");
  if (fromText === null && toText === null) {
    const chosen = name ?? "1h";
    const span = Object.hasOwn(RANGES, chosen) ? RANGES[chosen] : undefined;
    if (span === undefined) return `range must be one of ${Object.keys(RANGES).join(", ")}.`;
    const bucketMs = bucketFor(span);
    const to = Math.ceil((now + 1) / bucketMs) * bucketMs;
    return { name: chosen, from: to - span, to, bucketMs };
  }
  if (name !== null) return "Give either range or from and to, not both.";
  if (fromText === null || toText === null) return "Give both from and to.";
  const from = instant(fromText);
  const to = instant(toText);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return "from and to must be ISO 8601 dates or milliseconds since the epoch.";
  if (to - from < MINUTE) return "to must be at least a minute after from.";
  if (to - from > MAX_RANGE_MS) return `A range may span at most ${MAX_RANGE_MS / DAY} days.`;
  const bucketMs = bucketFor(to - from);
  return { name: null, from: Math.floor(from / bucketMs) * bucketMs, to: Math.ceil(to / bucketMs) * bucketMs, bucketMs };
}

const EMPTY: Totals = Object.freeze({ requests: 0, faults: { client: 0, policy: 0, provider: 0, gateway: 0 }, totalMs: null, firstByteMs: null, inputTokens: 0, outputTokens: 0, costUsd: 0 });

/** One point per bucket of the range, oldest first; buckets the store had nothing for read as zero. */
export function storedPoints(buckets: readonly LogHistoryBucket[], range: HistoryRange): SeriesPoint[] {
  const byStart = new Map(buckets.map((bucket) => [bucket.start, bucket]));
  const points: SeriesPoint[] = [];
  for (let start = range.from; start < range.to; start += range.bucketMs) points.push(seriesPoint(start / 1000, range.bucketMs, byStart.get(start) ?? EMPTY));
  return points;
}
