import { unrefTimer } from "./attempt-guard.ts";
import type { LogRecord } from "./log-record.ts";
import type { LogSink } from "./log-sink.ts";

export interface LogQueueOptions {
  /** Most records held for a sink; beyond it new records are dropped and counted. Default 4096. */
  maxQueue?: number;
  /** Most records per `write`. Default 512. */
  maxBatch?: number;
  /** How long a record may wait for a batch to fill. Default 1000 ms. */
  flushIntervalMs?: number;
  /** A write that has not settled by then is aborted and counts as failed. Default 10 000 ms. */
  writeTimeoutMs?: number;
  /** Tries after a failed write before its batch is dropped. Default 3. */
  retries?: number;
  /** Waits between tries: exponential from `baseMs`, capped at `maxMs`. Default 200 ms and 5000 ms. */
  backoff?: { baseMs?: number; maxMs?: number };
}

/** Where a log queue stands. The metrics plugin reads this through `log().logStats()`. */
export interface LogQueueStats {
  /** Records waiting to be written (not counting a batch being written). */
  queued: number;
  /** Records lost since start: the queue was full, the sink gave up, or shutdown ran out of time. */
  dropped: number;
  /** Records a sink took. */
  written: number;
  /** Writes that failed or timed out since start (each retry counts). */
  failedWrites: number;
  /** The most records the queue holds. */
  capacity: number;
}

type Timer = ReturnType<typeof setTimeout>;

class WriteTimeout extends Error {
  constructor(sink: string, ms: number) {
    super(`log sink "${sink}" did not finish a write within ${ms} ms`);
    this.name = "WriteTimeout";
  }
}

/**
 * A bounded batch queue in front of one sink, after OpenTelemetry's BatchSpanProcessor: `push`
 * is synchronous and never waits; a timer (or a full batch) starts a write; one write runs at a
 * time; a failing write is retried with backoff, then its batch is dropped and counted. Memory is
 * bounded by `maxQueue` plus the batch in flight, whatever the sink does.
 */
export class LogQueue {
  readonly sink: LogSink;
  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly writeTimeoutMs: number;
  private readonly retries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly report: (error: unknown) => void;

  private records: LogRecord[] = [];
  private timer: Timer | null = null;
  /** The timer is the immediate one a full batch starts. */
  private writeSoon = false;
  private pumping: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** Set when shutdown's deadline passed: stop retrying, drop what is left. */
  private abandoned = false;
  private current: AbortController | null = null;
  private wakeSleeper: (() => void) | null = null;
  private dropped = 0;
  private written = 0;
  private failedWrites = 0;
  /** Failed writes since the last good one; a required sink is unready while this is above 0. */
  consecutiveFailures = 0;
  /** The last batch given up on, kept (one batch at most) so `probe` can find out whether the sink is back. */
  private held: LogRecord[] | null = null;
  private lastFailureAt = 0;
  /** Set once this queue handed its records to the queue that replaced it (a reload). */
  private successor: LogQueue | null = null;

  constructor(sink: LogSink, options: LogQueueOptions = {}, report: (error: unknown) => void = () => {}) {
    this.sink = sink;
    this.maxQueue = positive(options.maxQueue, 4096, "maxQueue");
    this.maxBatch = positive(options.maxBatch, 512, "maxBatch");
    this.flushIntervalMs = positive(options.flushIntervalMs, 1000, "flushIntervalMs");
    this.writeTimeoutMs = positive(options.writeTimeoutMs, 10_000, "writeTimeoutMs");
    this.retries = options.retries ?? 3;
    if (!Number.isInteger(this.retries) || this.retries < 0) throw new TypeError("log queue: retries must be an integer >= 0");
    this.backoffBaseMs = positive(options.backoff?.baseMs, 200, "backoff.baseMs");
    this.backoffMaxMs = positive(options.backoff?.maxMs, 5000, "backoff.maxMs");
    this.report = report;
  }

  /** Queue a record; false (and counted as dropped) when the queue is full or closed. */
  push(record: LogRecord): boolean {
    if (this.closing !== null && this.successor !== null) return this.successor.push(record);
    if (this.closing !== null || this.records.length >= this.maxQueue) {
      this.dropped++;
      return false;
    }
    this.records.push(record);
    if (this.pumping === null) {
      // Armed once: re-arming on every push would cost a timer per record until the write starts.
      if (this.records.length >= this.maxBatch) {
        if (!this.writeSoon) {
          this.writeSoon = true;
          this.schedule(0);
        }
      } else if (this.timer === null) this.schedule(this.flushIntervalMs);
    }
    return true;
  }

  stats(): LogQueueStats {
    return { queued: this.records.length, dropped: this.dropped, written: this.written, failedWrites: this.failedWrites, capacity: this.maxQueue };
  }

  /**
   * While the sink is failing and nothing else is queued, try the last batch it gave up on again
   * (at most once per `backoff.maxMs`). Without it, a required sink marked unready would never be
   * written to again once traffic moved away, so it could never become ready.
   */
  probe(): void {
    const held = this.held;
    if (held === null || this.consecutiveFailures === 0 || this.closing !== null) return;
    if (this.pumping !== null || this.records.length > 0 || performance.now() - this.lastFailureAt < this.backoffMaxMs) return;
    this.held = null;
    this.dropped -= held.length;
    this.records = held;
    void this.pump();
  }

  /** Write everything queued now (and whatever arrives meanwhile), then the sink's own flush. */
  async flush(): Promise<void> {
    while (!this.abandoned && (this.records.length > 0 || this.pumping !== null)) await this.pump();
    await this.sink.flush?.();
  }

  /**
   * Stop taking records, write what is queued within `timeoutMs`, close the sink. What cannot be
   * written in time is dropped and counted. Idempotent: later calls share the first one's work.
   */
  close(timeoutMs: number): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  /**
   * Retire this queue in favour of `successor`, the queue of the same sink in the gateway that
   * replaced this one on a reload: every record not yet written moves there, and so does a batch
   * whose write fails from now on; the write under way gets `timeoutMs` to finish, then the sink
   * closes. Nothing is dropped that the successor has room for, and its counts go on from these.
   */
  handOver(successor: LogQueue, timeoutMs: number): Promise<void> {
    this.closing ??= this.retire(successor, timeoutMs);
    return this.closing;
  }

  /** Take records a retired queue handed on, ahead of this queue's own (they are older). */
  private adopt(records: LogRecord[]): void {
    if (records.length === 0) return;
    let merged = records.concat(this.records);
    if (merged.length > this.maxQueue) {
      this.dropped += merged.length - this.maxQueue;
      merged = merged.slice(0, this.maxQueue);
    }
    this.records = merged;
    if (this.pumping === null) this.schedule(this.records.length >= this.maxBatch ? 0 : this.flushIntervalMs);
  }

  private async retire(successor: LogQueue, timeoutMs: number): Promise<void> {
    this.successor = successor;
    // A write waiting to retry hands its batch over now rather than after its backoff.
    this.wakeSleeper?.();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // A batch given up on was counted as dropped; it is not lost after all.
    const held = this.held ?? [];
    this.dropped -= held.length;
    this.held = null;
    const pending = held.concat(this.records);
    this.records = [];
    successor.adopt(pending);
    let timer: Timer | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = unrefTimer(setTimeout(() => resolve(false), timeoutMs));
    });
    if (this.pumping !== null) {
      const inTime = await Promise.race([this.pumping.then(() => true), expired]);
      if (!inTime) {
        // The write is cut short; its batch goes to the successor too (it may arrive twice).
        this.abandoned = true;
        this.current?.abort(new WriteTimeout(this.sink.name, timeoutMs));
        this.wakeSleeper?.();
        await this.pumping;
      }
    }
    successor.written += this.written;
    successor.dropped += this.dropped;
    successor.failedWrites += this.failedWrites;
    try {
      await Promise.race([Promise.resolve(this.sink.close?.()), expired]);
    } catch (error) {
      this.report(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    let timer: Timer | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = unrefTimer(setTimeout(() => resolve(false), timeoutMs));
    });
    const flushed = this.flush().then(
      () => true,
      (error) => {
        this.report(error);
        return true;
      },
    );
    const inTime = await Promise.race([flushed, expired]);
    if (!inTime) {
      this.abandoned = true;
      this.current?.abort(new WriteTimeout(this.sink.name, timeoutMs));
      this.wakeSleeper?.();
      if (this.pumping !== null) await this.pumping;
      this.dropped += this.records.length;
      this.records = [];
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    try {
      await Promise.race([Promise.resolve(this.sink.close?.()), inTime ? expired : undefined]);
    } catch (error) {
      this.report(error);
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = unrefTimer(setTimeout(this.onTimer, ms));
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    void this.pump();
  };

  /** One write loop at a time; callers share it. */
  private pump(): Promise<void> {
    this.writeSoon = false;
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.pumping ??= this.writeAll().finally(() => {
      this.pumping = null;
      if (this.records.length > 0 && this.closing === null && !this.abandoned) this.schedule(this.records.length >= this.maxBatch ? 0 : this.flushIntervalMs);
    });
    return this.pumping;
  }

  private async writeAll(): Promise<void> {
    while (this.records.length > 0 && !this.abandoned) {
      const batch = this.records.length <= this.maxBatch ? this.records : this.records.slice(0, this.maxBatch);
      this.records = batch === this.records ? [] : this.records.slice(this.maxBatch);
      await this.deliver(batch);
    }
  }

  private async deliver(batch: LogRecord[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writeOnce(batch);
        this.written += batch.length;
        this.consecutiveFailures = 0;
        this.held = null;
        return;
      } catch (error) {
        this.failedWrites++;
        this.lastFailureAt = performance.now();
        if (this.successor !== null) {
          // Retired: the queue that replaced this one retries the batch.
          this.successor.adopt(batch);
          return;
        }
        // One report per outage, not one per retry: a dead collector must not flood the console.
        if (this.consecutiveFailures++ === 0) this.report(error);
        if (attempt >= this.retries || this.abandoned) {
          this.dropped += batch.length;
          if (!this.abandoned) this.held = batch;
          return;
        }
        await this.sleep(Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt));
        // Set while this write waited, should a reload have retired the queue meanwhile.
        const successor = this.successor as LogQueue | null;
        if (successor !== null) {
          successor.adopt(batch);
          return;
        }
        if (this.abandoned) {
          this.dropped += batch.length;
          return;
        }
      }
    }
  }

  private writeOnce(batch: readonly LogRecord[]): Promise<void> {
    const controller = new AbortController();
    this.current = controller;
    return new Promise<void>((resolve, reject) => {
      const timer = unrefTimer(setTimeout(() => controller.abort(new WriteTimeout(this.sink.name, this.writeTimeoutMs)), this.writeTimeoutMs));
      const settle = (error: unknown): void => {
        clearTimeout(timer);
        controller.signal.removeEventListener("abort", onAbort);
        if (this.current === controller) this.current = null;
        if (error === undefined) resolve();
        else reject(error);
      };
      // A sink that ignores its signal still loses the race: the queue moves on.
      const onAbort = (): void => settle(controller.signal.reason);
      controller.signal.addEventListener("abort", onAbort, { once: true });
      let pending: Promise<void>;
      try {
        pending = Promise.resolve(this.sink.write(batch, controller.signal));
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        () => controller.signal.aborted || settle(undefined),
        (error) => controller.signal.aborted || settle(error ?? new Error(`log sink "${this.sink.name}" failed`)),
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = unrefTimer(setTimeout(done, ms));
      const self = this;
      function done(): void {
        clearTimeout(timer);
        if (self.wakeSleeper === done) self.wakeSleeper = null;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new TypeError(`log queue: ${name} must be a number > 0`);
  return value;
}
