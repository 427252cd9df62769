import type { Attempt } from "../../core/types.ts";

const ALPHA = 0.2;

/** One upstream target as the Providers page shows it, from the attempts the gateway made. */
export interface TargetView {
  provider: string;
  model: string;
  attempts: number;
  errors: number;
  skipped: number;
  /** EWMA of time to first byte (the whole attempt when none came), ms; null before an answer. */
  latencyMs: number | null;
  /** EWMA of failure (0..1) over recent attempts. */
  errorRate: number;
  lastStatus: number;
}

/**
 * Per-target attempt tallies, kept in `onComplete` from each request's attempts. Bounded: a
 * gateway that passes `provider/model` through could see many models, so past `max` targets new
 * ones are not tracked.
 */
export class TargetTallies {
  private readonly byKey = new Map<string, TargetView>();

  constructor(private readonly max: number) {}

  observe(attempt: Attempt): void {
    const key = attempt.target.provider + "\u0000" + attempt.target.model;
    let view = this.byKey.get(key);
    if (view === undefined) {
      if (this.byKey.size >= this.max) return;
      view = { provider: attempt.target.provider, model: attempt.target.model, attempts: 0, errors: 0, skipped: 0, latencyMs: null, errorRate: 0, lastStatus: 0 };
      this.byKey.set(key, view);
    }
    if (attempt.outcome === "skipped") {
      view.skipped++;
      return;
    }
    view.attempts++;
    const failed = attempt.outcome === "error";
    if (failed) view.errors++;
    view.errorRate += ALPHA * ((failed ? 1 : 0) - view.errorRate);
    const ms = attempt.firstByteMs >= 0 ? attempt.firstByteMs : attempt.durationMs;
    if (ms >= 0) view.latencyMs = view.latencyMs === null ? ms : view.latencyMs + ALPHA * (ms - view.latencyMs);
    view.lastStatus = attempt.status;
  }

  list(): TargetView[] {
    return [...this.byKey.values()].map((v) => ({ ...v }));
  }
}
