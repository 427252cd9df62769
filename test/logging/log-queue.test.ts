import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LogQueue } from "../../core/log-queue.ts";
import type { LogRecord } from "../../core/log-record.ts";
import type { LogSink } from "../../core/log-sink.ts";
import { sampleLogRecord } from "../../testing/index.ts";

/** A sink that records batches, and fails or hangs on demand. */
function testSink(behaviour: { fail?: number; hang?: boolean; ignoreAbort?: boolean } = {}) {
  const batches: LogRecord[][] = [];
  const signals: AbortSignal[] = [];
  let failuresLeft = behaviour.fail ?? 0;
  let closes = 0;
  const sink: LogSink = {
    name: "test",
    write(batch, signal) {
      signals.push(signal);
      if (behaviour.hang) {
        return new Promise((_, reject) => {
          if (!behaviour.ignoreAbort) signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        });
      }
      if (failuresLeft > 0) {
        failuresLeft--;
        return Promise.reject(new Error("sink down"));
      }
      batches.push([...batch]);
      return Promise.resolve();
    },
    close: async () => {
      closes++;
    },
  };
  return { sink, batches, signals, closes: () => closes };
}

const record = (n: number): LogRecord => sampleLogRecord({ id: `r${n}` });
const ids = (batches: LogRecord[][]): string[] => batches.flat().map((r) => r.id);

describe("LogQueue", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits for the flush interval, then writes what is queued as one batch", async () => {
    const { sink, batches } = testSink();
    const queue = new LogQueue(sink, { flushIntervalMs: 1000 });
    for (let i = 0; i < 3; i++) queue.push(record(i));
    await vi.advanceTimersByTimeAsync(999);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ids(batches)).toEqual(["r0", "r1", "r2"]);
    expect(queue.stats()).toEqual({ queued: 0, dropped: 0, written: 3, failedWrites: 0, capacity: 4096 });
  });

  it("writes at once when a batch fills, in batches of at most maxBatch", async () => {
    const { sink, batches } = testSink();
    const queue = new LogQueue(sink, { maxBatch: 4, flushIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++) queue.push(record(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(ids(batches)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
  });

  it("drops and counts records beyond maxQueue while a write is stuck; memory holds maxQueue plus one batch", async () => {
    const { sink, signals } = testSink({ hang: true });
    const queue = new LogQueue(sink, { maxQueue: 100, maxBatch: 10, flushIntervalMs: 10, writeTimeoutMs: 60_000 });
    let accepted = 0;
    for (let i = 0; i < 10; i++) if (queue.push(record(i))) accepted++;
    await vi.advanceTimersByTimeAsync(10);
    expect(signals).toHaveLength(1);
    for (let i = 10; i < 10_000; i++) if (queue.push(record(i))) accepted++;
    const stats = queue.stats();
    expect(stats.queued).toBe(100);
    expect(accepted).toBe(110);
    expect(stats.dropped).toBe(10_000 - 110);
    expect(stats.written).toBe(0);
  });

  it("aborts a write that outlives writeTimeoutMs, retries with growing backoff, then drops the batch", async () => {
    const { sink, signals } = testSink({ hang: true });
    const reports: unknown[] = [];
    const queue = new LogQueue(sink, { flushIntervalMs: 1, writeTimeoutMs: 100, retries: 2, backoff: { baseMs: 50, maxMs: 1000 } }, (e) => reports.push(e));
    queue.push(record(1));
    await vi.advanceTimersByTimeAsync(1);
    expect(signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(signals[0].aborted).toBe(true);
    expect(queue.stats().failedWrites).toBe(1);
    await vi.advanceTimersByTimeAsync(49);
    expect(signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100 + 100);
    expect(signals).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(queue.stats()).toMatchObject({ failedWrites: 3, dropped: 1, written: 0, queued: 0 });
    // One report per outage, not one per failed try.
    expect(reports).toHaveLength(1);
    expect(queue.consecutiveFailures).toBe(3);
  });

  it("a sink that ignores its abort signal still cannot hold the queue past the write timeout", async () => {
    const { sink, signals } = testSink({ hang: true, ignoreAbort: true });
    const queue = new LogQueue(sink, { flushIntervalMs: 1, writeTimeoutMs: 100, retries: 0 });
    queue.push(record(1));
    await vi.advanceTimersByTimeAsync(101);
    expect(queue.stats()).toMatchObject({ failedWrites: 1, dropped: 1 });
    queue.push(record(2));
    await vi.advanceTimersByTimeAsync(1);
    expect(signals).toHaveLength(2);
  });

  it("recovers after failures: the retried batch is written once and the failure count resets", async () => {
    const { sink, batches } = testSink({ fail: 2 });
    const queue = new LogQueue(sink, { flushIntervalMs: 1, retries: 3, backoff: { baseMs: 10 } });
    queue.push(record(1));
    await vi.advanceTimersByTimeAsync(1 + 10 + 20);
    expect(ids(batches)).toEqual(["r1"]);
    expect(queue.stats()).toMatchObject({ written: 1, failedWrites: 2, dropped: 0 });
    expect(queue.consecutiveFailures).toBe(0);
  });

  it("probe retries the last batch given up on while the sink is failing and idle, at most once per backoff.maxMs", async () => {
    const { sink, batches, signals } = testSink({ fail: 3 });
    const queue = new LogQueue(sink, { flushIntervalMs: 1, retries: 1, backoff: { baseMs: 10, maxMs: 1000 } });
    queue.push(record(1));
    await vi.advanceTimersByTimeAsync(1 + 10);
    expect(queue.stats()).toMatchObject({ dropped: 1, failedWrites: 2 });
    queue.probe();
    await vi.advanceTimersByTimeAsync(0);
    expect(signals).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    queue.probe();
    await vi.advanceTimersByTimeAsync(10);
    // The third failure, then the retry succeeds: the batch is written once and no longer counted as dropped.
    expect(ids(batches)).toEqual(["r1"]);
    expect(queue.stats()).toMatchObject({ dropped: 0, written: 1, failedWrites: 3 });
    expect(queue.consecutiveFailures).toBe(0);
    queue.probe();
    await vi.advanceTimersByTimeAsync(2000);
    expect(signals).toHaveLength(4);
  });

  it("flush writes everything now and may be called repeatedly", async () => {
    const { sink, batches } = testSink();
    const queue = new LogQueue(sink, { flushIntervalMs: 60_000, maxBatch: 2 });
    for (let i = 0; i < 5; i++) queue.push(record(i));
    await queue.flush();
    await queue.flush();
    expect(ids(batches)).toHaveLength(5);
    expect(queue.stats().queued).toBe(0);
  });

  it("close drains the queue, closes the sink once, refuses later records, and is idempotent", async () => {
    const { sink, batches, closes } = testSink();
    const queue = new LogQueue(sink, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 3; i++) queue.push(record(i));
    const first = queue.close(1000);
    expect(queue.close(1000)).toBe(first);
    await first;
    expect(ids(batches)).toEqual(["r0", "r1", "r2"]);
    expect(closes()).toBe(1);
    expect(queue.push(record(9))).toBe(false);
    expect(queue.stats()).toMatchObject({ written: 3, dropped: 1 });
  });

  it("close gives up at its deadline: a hung sink's records are dropped and counted", async () => {
    const { sink } = testSink({ hang: true });
    const queue = new LogQueue(sink, { flushIntervalMs: 60_000, maxBatch: 5, writeTimeoutMs: 60_000 });
    for (let i = 0; i < 12; i++) queue.push(record(i));
    const closed = queue.close(500);
    await vi.advanceTimersByTimeAsync(500);
    await closed;
    expect(queue.stats()).toMatchObject({ written: 0, dropped: 12, queued: 0 });
  });

  it("full batches are written while records keep coming, one per event-loop turn", async () => {
    vi.useRealTimers();
    const { sink, batches } = testSink();
    const queue = new LogQueue(sink, { maxBatch: 10, maxQueue: 100_000, flushIntervalMs: 60_000 });
    // The write starts from a timer; records arriving on every turn must not keep it from firing.
    for (let i = 0; i < 20_000; i++) {
      queue.push(record(i));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(batches.length).toBeGreaterThan(0);
    await queue.close(5000);
  });

  it("rejects nonsense bounds at construction", () => {
    const { sink } = testSink();
    expect(() => new LogQueue(sink, { maxQueue: 0 })).toThrow(/maxQueue/);
    expect(() => new LogQueue(sink, { retries: -1 })).toThrow(/retries/);
  });
});
