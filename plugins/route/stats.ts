/**
 * What the latency-aware and least-in-flight strategies know about one upstream (provider and
 * model): requests in flight, and an exponentially weighted moving average of time to first byte.
 */
export class TargetStats {
  inFlight = 0;
  /** EWMA of time to first byte, in ms; meaningful once `samples > 0`. */
  latencyMs = 0;
  samples = 0;

  constructor(readonly provider: string, readonly model: string) {}

  /** Fold one observation in; the first one sets the average outright. */
  observe(ms: number, alpha: number): void {
    this.latencyMs = this.samples === 0 ? ms : this.latencyMs + alpha * (ms - this.latencyMs);
    this.samples++;
  }
}
