import type { Target } from "../../core/types.ts";
import type { TargetStats } from "./stats.ts";

/**
 * How the first target of a plan is chosen; the others follow in list order as the fallback plan.
 * - ordered: list order, always.
 * - weighted: at random in proportion to `weight` (1 when absent; 0 is never first).
 * - latency: the lowest EWMA time to first byte, with a share of random picks (exploration)
 *   so a target that recovers gets noticed; a target with no sample yet goes first.
 * - least-in-flight: the fewest requests in flight right now, ties broken at random.
 */
export type RouteStrategy = "ordered" | "weighted" | "latency" | "least-in-flight";

export const STRATEGIES: readonly RouteStrategy[] = ["ordered", "weighted", "latency", "least-in-flight"];

/** The targets a pick chooses among, compiled once; `rest` always trails the plan (other regions). */
export interface Candidates {
  readonly strategy: RouteStrategy;
  readonly targets: readonly Target[];
  readonly stats: readonly TargetStats[];
  /** Cumulative weights for `weighted`; null otherwise. */
  readonly cumulative: readonly number[] | null;
  readonly rest: readonly Target[];
  /** `targets` then `rest`: the plan when the first target is the first listed. */
  readonly ordered: readonly Target[];
}

export interface PickTuning {
  readonly random: () => number;
  readonly exploration: number;
}

function pickWeighted(cumulative: readonly number[], random: () => number): number {
  const roll = random() * cumulative[cumulative.length - 1];
  let i = 0;
  while (cumulative[i] <= roll) i++;
  return i;
}

function pickFastest(stats: readonly TargetStats[], tuning: PickTuning): number {
  const n = stats.length;
  if (tuning.exploration > 0 && tuning.random() < tuning.exploration) return Math.min(n - 1, Math.floor(tuning.random() * n));
  let best = 0;
  for (let i = 0; i < n; i++) {
    const s = stats[i];
    if (s.samples === 0) return i;
    if (s.latencyMs < stats[best].latencyMs) best = i;
  }
  return best;
}

function pickLeastBusy(stats: readonly TargetStats[], random: () => number): number {
  const n = stats.length;
  const start = Math.min(n - 1, Math.floor(random() * n));
  let best = start;
  for (let k = 1; k < n; k++) {
    const i = (start + k) % n;
    if (stats[i].inFlight < stats[best].inFlight) best = i;
  }
  return best;
}

/** The plan for one request: the picked target first, then the rest in list order. */
export function plan(c: Candidates, tuning: PickTuning): readonly Target[] {
  if (c.targets.length === 1) return c.ordered;
  let first: number;
  switch (c.strategy) {
    case "ordered":
      return c.ordered;
    case "weighted":
      first = pickWeighted(c.cumulative!, tuning.random);
      break;
    case "latency":
      first = pickFastest(c.stats, tuning);
      break;
    case "least-in-flight":
      first = pickLeastBusy(c.stats, tuning.random);
      break;
  }
  if (first === 0) return c.ordered;
  const out: Target[] = [c.targets[first]];
  for (let i = 0; i < c.ordered.length; i++) if (i !== first) out.push(c.ordered[i]);
  return out;
}
