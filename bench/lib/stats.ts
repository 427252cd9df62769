/** Small statistics for benchmark reports: percentiles and least-squares lines. */

/** The q-quantile (0..1) of already sorted values, nearest-rank; NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted([...values].sort((a, b) => a - b), q);
}

export interface Line {
  /** Change of y per unit of x. */
  slope: number;
  /** y at x = 0. */
  intercept: number;
  /** y on the line at x. */
  at(x: number): number;
}

/** Ordinary least-squares fit of y = slope·x + intercept; null with fewer than two distinct x. */
export function fitLine(points: readonly (readonly [number, number])[]): Line | null {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  return { slope, intercept, at: (x) => intercept + slope * x };
}
