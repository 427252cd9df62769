import { type AbortWatch, realSignal } from "./abort-watch.ts";
import type { Timeouts } from "./types.ts";
import { UpstreamTimeout } from "./upstream-errors.ts";

type Timer = ReturnType<typeof setTimeout>;

/** Timers must never keep a process alive on their own (a no-op where `unref` does not exist). */
export function unrefTimer(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * The abort signal of one upstream attempt: it fires when the client goes away or a timeout runs
 * out, and every timer and listener it sets is released by `release()`, which callers run in
 * `finally` (for streams, when the stream ends). Without timeouts the client's own signal is the
 * attempt's: an AbortController costs more than the rest of the guard, so one is made only when a
 * timer may need to abort. (A stream the gateway stops early ends its upstream read through the
 * body's iterator either way.) `watch` is what upstream clients that take a light listener
 * target listen on; `signal`, a real AbortSignal, is made only when asked for.
 */
export class AttemptGuard {
  /** Fires when the attempt must stop: the client's watch, or the guard's own signal when timed. */
  readonly watch: AbortWatch;
  private readonly controller: AbortController | null;
  private firstByteTimer: Timer | undefined;
  private totalTimer: Timer | undefined;
  private idleTimer: Timer | undefined;
  private lastChunkAt = 0;
  private released = false;
  private readonly onClientAbort: () => void;

  constructor(private readonly client: AbortWatch, private readonly timeouts: Timeouts | undefined) {
    const timed = timeouts !== undefined && (timeouts.firstByteMs !== undefined || timeouts.totalMs !== undefined || timeouts.idleMs !== undefined);
    const controller = timed ? new AbortController() : null;
    this.controller = controller;
    this.watch = controller === null ? client : controller.signal;
    this.onClientAbort = () => controller?.abort(client.reason);
    if (controller !== null) {
      if (client.aborted) controller.abort(client.reason);
      else client.addEventListener("abort", this.onClientAbort, { once: true });
    }
    const firstByteMs = timeouts?.firstByteMs;
    if (firstByteMs !== undefined) {
      this.firstByteTimer = unrefTimer(setTimeout(() => this.expire("firstByte", firstByteMs), firstByteMs));
    }
    const totalMs = timeouts?.totalMs;
    if (totalMs !== undefined) {
      this.totalTimer = unrefTimer(setTimeout(() => this.expire("total", totalMs), totalMs));
    }
  }

  /** The attempt's signal as a real AbortSignal (made on first use when the client's watch is a light one). */
  get signal(): AbortSignal {
    return realSignal(this.watch);
  }

  /** The gateway's own timeout, if that is why the signal fired. */
  get timeout(): UpstreamTimeout | null {
    const reason = this.watch.reason;
    return reason instanceof UpstreamTimeout ? reason : null;
  }

  get clientGone(): boolean {
    return this.client.aborted;
  }

  /** Response headers are in: the first-byte limit is met; the idle limit starts watching. */
  firstByte(): void {
    if (this.firstByteTimer !== undefined) clearTimeout(this.firstByteTimer);
    this.firstByteTimer = undefined;
  }

  /** Stream mode: watch for gaps between chunks with one timer per gap, not one per chunk. */
  watchIdle(): void {
    const idleMs = this.timeouts?.idleMs;
    if (idleMs === undefined || this.released) return;
    this.lastChunkAt = performance.now();
    const check = (): void => {
      const quiet = performance.now() - this.lastChunkAt;
      if (quiet >= idleMs) this.expire("idle", idleMs);
      else this.idleTimer = unrefTimer(setTimeout(check, idleMs - quiet));
    };
    this.idleTimer = unrefTimer(setTimeout(check, idleMs));
  }

  chunk(): void {
    this.lastChunkAt = performance.now();
  }

  /** Abort the upstream call on purpose (the client cancelled its stream), where the guard has its own signal. */
  abort(reason?: unknown): void {
    this.controller?.abort(reason);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.firstByteTimer !== undefined) clearTimeout(this.firstByteTimer);
    if (this.totalTimer !== undefined) clearTimeout(this.totalTimer);
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.controller !== null) this.client.removeEventListener("abort", this.onClientAbort);
  }

  private expire(which: UpstreamTimeout["which"], ms: number): void {
    if (!this.released) this.controller?.abort(new UpstreamTimeout(which, ms));
  }
}

/** Wait, but stop waiting when the signal fires. */
export function sleep(ms: number, signal: AbortWatch): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
