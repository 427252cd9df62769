import type { RateDecision, RateRule } from "../core/counter-store.ts";

/**
 * GCRA (the generic cell rate algorithm) over one number per key: the theoretical arrival time
 * (TAT) of the next unit. Each unit pushes the TAT one emission interval (`windowMs / limit`)
 * into the future; a request fits while the TAT stays within one window of now. That allows a
 * burst of `limit`, then a steady rate, and never the double burst a fixed window allows at its
 * edge. The Redis store runs the same arithmetic in Lua (see redis-scripts.ts); keep them alike.
 */

/** Floating-point slack, in ms and in units, so 7 × (60000 / 7) still fits in 60000. */
const EPSILON = 1e-6;

export interface GcraStep {
  readonly decision: RateDecision;
  /** The TAT to store, or null when nothing changes (a rejection). */
  readonly tat: number | null;
}

export function gcraConsume(stored: number | undefined, now: number, rule: RateRule, cost: number): GcraStep {
  const interval = rule.windowMs / rule.limit;
  const tat = stored !== undefined && stored > now ? stored : now;
  const next = tat + cost * interval;
  if (next - now <= rule.windowMs + EPSILON) {
    return {
      tat: next,
      decision: {
        allowed: true,
        limit: rule.limit,
        remaining: units(rule.windowMs - (next - now), interval),
        resetMs: Math.ceil(next - now),
        retryAfterMs: 0,
      },
    };
  }
  return {
    tat: null,
    decision: {
      allowed: false,
      limit: rule.limit,
      remaining: units(rule.windowMs - (tat - now), interval),
      resetMs: Math.ceil(tat - now),
      retryAfterMs: Math.max(1, Math.ceil(next - rule.windowMs - now)),
    },
  };
}

/** The TAT after adding `delta` units unconditionally; null when the bucket is back to full. */
export function gcraAdjust(stored: number | undefined, now: number, rule: RateRule, delta: number): number | null {
  const tat = stored !== undefined && stored > now ? stored : now;
  const next = tat + delta * (rule.windowMs / rule.limit);
  return next > now ? next : null;
}

function units(spareMs: number, interval: number): number {
  return spareMs <= 0 ? 0 : Math.floor(spareMs / interval + EPSILON);
}
