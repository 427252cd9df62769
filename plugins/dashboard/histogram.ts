/**
 * Fixed latency buckets (ms upper bounds) shared by every slot, so summing slots is adding arrays
 * and a percentile is one walk: no samples are kept, memory stays fixed.
 */
export const LATENCY_BOUNDS: readonly number[] = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 350, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 20_000, 30_000, 60_000, 120_000, Infinity]);
export const BUCKETS = LATENCY_BOUNDS.length;

/** The bucket a duration falls in. */
export function bucketOf(ms: number): number {
  let i = 0;
  while (ms > LATENCY_BOUNDS[i]) i++;
  return i;
}

/**
 * The `q` quantile (0..1) of `count` observations in `counts[offset .. offset+BUCKETS)`,
 * interpolated inside its bucket; null without observations.
 */
export function quantile(counts: ArrayLike<number>, offset: number, q: number): number | null {
  let total = 0;
  for (let i = 0; i < BUCKETS; i++) total += counts[offset + i];
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const inBucket = counts[offset + i];
    if (inBucket > 0 && seen + inBucket >= rank) {
      const low = i === 0 ? 0 : LATENCY_BOUNDS[i - 1];
      // The open last bucket has no upper bound: report its lower one.
      const high = Number.isFinite(LATENCY_BOUNDS[i]) ? LATENCY_BOUNDS[i] : low;
      return low + (high - low) * ((rank - seen) / inBucket);
    }
    seen += inBucket;
  }
  return LATENCY_BOUNDS[BUCKETS - 2];
}
