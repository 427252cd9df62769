export type { CircuitState } from "../../core/plugin-api.ts";
import type { CircuitState } from "../../core/plugin-api.ts";

export interface CircuitPolicy {
  /** Consecutive failures that open the circuit; 0 turns this rule off. */
  readonly failures: number;
  /** Share of failures in the window (0–1) that opens the circuit; 0 turns this rule off. */
  readonly errorRate: number;
  /** The error-rate rule needs at least this many outcomes in the window. */
  readonly minRequests: number;
  readonly windowMs: number;
  /** How long an open circuit refuses traffic before it lets one probe through. */
  readonly cooldownMs: number;
  /** A probe that has not reported after this long no longer blocks the next one. */
  readonly probeTimeoutMs: number;
}

const BUCKETS = 10;

/**
 * One upstream's breaker: closed (traffic flows) → open (after too many failures; no traffic
 * for `cooldownMs`) → half-open (one probe at a time) → closed on the probe's success, or open
 * again on its failure. Outcomes are counted in a rolling window of ten buckets, so the memory
 * per circuit is fixed whatever the traffic.
 */
export class Circuit {
  state: CircuitState = "closed";
  consecutiveFailures = 0;
  /** When the circuit last opened (clock ms), or -1. */
  openedAt = -1;
  private openUntil = 0;
  /** While half-open: the probe in flight holds the circuit until this time. */
  private probeUntil = 0;
  private readonly epochs = new Float64Array(BUCKETS).fill(-1);
  private readonly ok = new Uint32Array(BUCKETS);
  private readonly failed = new Uint32Array(BUCKETS);

  constructor(
    readonly provider: string,
    readonly model: string,
    private policy: CircuitPolicy,
    private changed: (circuit: Circuit, from: CircuitState, reason: string) => void,
  ) {}

  /**
   * Keep this circuit's state under a new breaker (a reload): its policy and listener from now
   * on. The outcome window starts again when its length changed, since old buckets would mean
   * other times.
   */
  rebind(policy: CircuitPolicy, changed: (circuit: Circuit, from: CircuitState, reason: string) => void): void {
    if (policy.windowMs !== this.policy.windowMs) this.epochs.fill(-1);
    this.policy = policy;
    this.changed = changed;
  }

  /** May a request go now? `"probe"` when it is the single half-open trial. */
  allow(now: number): boolean | "probe" {
    if (this.state === "closed") return true;
    if (this.state === "open") {
      if (now < this.openUntil) return false;
      this.move("half-open", "cooldown elapsed");
    }
    if (now < this.probeUntil) return false;
    this.probeUntil = now + this.policy.probeTimeoutMs;
    return "probe";
  }

  /** ms until an open circuit lets a probe through (0 when it would now). */
  retryInMs(now: number): number {
    return this.state === "open" ? Math.max(0, this.openUntil - now) : 0;
  }

  success(now: number): void {
    if (this.state === "half-open") {
      this.reset();
      this.move("closed", "probe succeeded");
      return;
    }
    this.consecutiveFailures = 0;
    this.count(now, true);
  }

  failure(now: number): void {
    if (this.state === "half-open") {
      this.open(now, "probe failed");
      return;
    }
    if (this.state === "open") return;
    this.consecutiveFailures++;
    this.count(now, false);
    const { failures, errorRate, minRequests } = this.policy;
    if (failures > 0 && this.consecutiveFailures >= failures) {
      this.open(now, `${this.consecutiveFailures} consecutive failures`);
      return;
    }
    if (errorRate > 0) {
      const { total, bad } = this.window(now);
      if (total >= minRequests && bad / total >= errorRate) this.open(now, `error rate ${Math.round((bad / total) * 100)}% over ${total} requests`);
    }
  }

  /** A probe ended with no verdict (the client went away): let the next one go. */
  release(): void {
    if (this.state === "half-open") this.probeUntil = 0;
  }

  /** Outcomes in the current window. */
  window(now: number): { total: number; bad: number } {
    const current = Math.floor(now / this.bucketMs);
    let total = 0;
    let bad = 0;
    for (let i = 0; i < BUCKETS; i++) {
      if (this.epochs[i] > current - BUCKETS) {
        total += this.ok[i] + this.failed[i];
        bad += this.failed[i];
      }
    }
    return { total, bad };
  }

  private get bucketMs(): number {
    return this.policy.windowMs / BUCKETS;
  }

  private count(now: number, ok: boolean): void {
    const epoch = Math.floor(now / this.bucketMs);
    const slot = epoch % BUCKETS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.ok[slot] = 0;
      this.failed[slot] = 0;
    }
    if (ok) this.ok[slot]++;
    else this.failed[slot]++;
  }

  private open(now: number, reason: string): void {
    this.openedAt = now;
    this.openUntil = now + this.policy.cooldownMs;
    this.probeUntil = 0;
    this.move("open", reason);
  }

  private reset(): void {
    this.consecutiveFailures = 0;
    this.probeUntil = 0;
    this.epochs.fill(-1);
  }

  private move(to: CircuitState, reason: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.changed(this, from, reason);
  }
}
