import { afterAll, describe, expect, it } from "vitest";
import type { LogRecord } from "../../core/log-record.ts";
import { MAX_HISTORY_BUCKETS, postgresSink } from "../../sinks/index.ts";
import { sampleLogRecord } from "../../testing/index.ts";
import { DATABASE_URL, dropTables, uniqueTable } from "../helpers/postgres.ts";

const tables: string[] = [];
const sinks: ReturnType<typeof postgresSink>[] = [];
afterAll(async () => {
  for (const sink of sinks) await sink.close!();
  await dropTables(tables);
});

const FROM = Date.UTC(2026, 0, 1, 12, 0, 0);
const MINUTE = 60_000;
const live = (): AbortSignal => new AbortController().signal;

/** A record arriving `atMs` after FROM, taking `totalMs`, with the rest of its figures overridden. */
function at(atMs: number, totalMs: number, more: Partial<LogRecord> = {}, firstByteMs: number | null = totalMs / 2): LogRecord {
  const sample = sampleLogRecord();
  return sampleLogRecord({ id: `h-${atMs}-${totalMs}`, time: new Date(FROM + atMs).toISOString(), timings: { ...sample.timings, totalMs, firstByteMs }, ...more });
}

function sinkWithTable(): ReturnType<typeof postgresSink> {
  const table = uniqueTable("history");
  tables.push(table);
  const sink = postgresSink({ url: DATABASE_URL, table });
  sinks.push(sink);
  return sink;
}

const failure = (status: number, fault: "client" | "provider"): Partial<LogRecord> => ({
  status,
  error: { code: "x_failed", type: "api_error", fault, message: "failed" },
  usage: null,
  costUsd: null,
});

describe("postgresSink history: totals per time bucket from the typed columns", () => {
  it("counts requests and faults, takes exact percentiles and sums tokens and spend per bucket", async () => {
    const sink = sinkWithTable();
    const usage = (input: number, output: number) => ({ inputTokens: input, outputTokens: output, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: input + output });
    await sink.write(
      [
        // Minute 0: four served requests and two failures.
        at(1_000, 10, { usage: usage(10, 1), costUsd: 0.001 }),
        at(15_000, 20, { usage: usage(20, 2), costUsd: 0.002 }),
        at(30_000, 30, { usage: usage(30, 3), costUsd: 0.003 }),
        at(59_999, 40, { usage: usage(40, 4), costUsd: 0.004 }),
        at(20_000, 50, failure(502, "provider"), null),
        at(21_000, 60, failure(400, "client"), null),
        // Not a request to chart: the model listing.
        at(5_000, 1, { surface: "models", path: "/v1/models" }),
        // Minute 1 holds nothing; minute 2 one request without a first byte.
        at(2 * MINUTE + 500, 100, { usage: usage(7, 0), costUsd: 0.5 }, null),
        // Outside [from, to): just before, and exactly at the end.
        at(-1, 5),
        at(3 * MINUTE, 5),
      ],
      live(),
    );
    const buckets = await sink.reader!.history!({ from: FROM, to: FROM + 3 * MINUTE, bucketMs: MINUTE });
    expect(buckets.map((b) => b.start)).toEqual([FROM, FROM + 2 * MINUTE]);
    const [first, third] = buckets;
    expect(first.requests).toBe(6);
    expect(first.faults).toEqual({ client: 1, policy: 0, provider: 1, gateway: 0 });
    // percentile_cont over 10, 20, 30, 40, 50, 60 ms: interpolated between neighbours.
    expect(first.totalMs.p50).toBeCloseTo(35, 9);
    expect(first.totalMs.p95).toBeCloseTo(57.5, 9);
    expect(first.totalMs.p99).toBeCloseTo(59.5, 9);
    // Only the four that got a first byte (5, 10, 15, 20 ms) count for it.
    expect(first.firstByteMs!.p50).toBeCloseTo(12.5, 9);
    expect(first.firstByteMs!.p99).toBeCloseTo(19.85, 9);
    expect(first.inputTokens).toBe(100);
    expect(first.outputTokens).toBe(10);
    expect(first.costUsd).toBeCloseTo(0.01, 12);
    expect(third).toMatchObject({ requests: 1, totalMs: { p50: 100, p95: 100, p99: 100 }, firstByteMs: null, inputTokens: 7, outputTokens: 0, costUsd: 0.5 });

    // Coarser buckets over the same rows add up to the same totals.
    const [whole] = await sink.reader!.history!({ from: FROM, to: FROM + 3 * MINUTE, bucketMs: 3 * MINUTE });
    expect(whole).toMatchObject({ start: FROM, requests: 7, inputTokens: 107 });
    expect(whole.costUsd).toBeCloseTo(0.51, 12);
    // A range with nothing in it has no buckets.
    expect(await sink.reader!.history!({ from: FROM + 10 * MINUTE, to: FROM + 20 * MINUTE, bucketMs: MINUTE })).toEqual([]);
  });

  it("refuses a bad range before it reaches the database", async () => {
    // Nothing listens on port 1: a query would fail to connect, a refused range never gets that far.
    const sink = postgresSink({ url: "postgres://postgres@127.0.0.1:1/test" });
    sinks.push(sink);
    const history = sink.reader!.history!;
    await expect(history({ from: FROM, to: FROM, bucketMs: MINUTE })).rejects.toThrow(RangeError);
    await expect(history({ from: FROM, to: FROM + MINUTE, bucketMs: 10 })).rejects.toThrow(RangeError);
    await expect(history({ from: Number.NaN, to: FROM, bucketMs: MINUTE })).rejects.toThrow(RangeError);
    await expect(history({ from: FROM, to: FROM + (MAX_HISTORY_BUCKETS + 1) * MINUTE, bucketMs: MINUTE })).rejects.toThrow(/1001 buckets asked for, at most 1000/);
  });

  it("stops a read that runs past readTimeoutMs", async () => {
    const table = uniqueTable("history_slow");
    tables.push(table);
    const sink = postgresSink({ url: DATABASE_URL, table, readTimeoutMs: 1 });
    sinks.push(sink);
    // Enough rows that sorting them for the percentiles takes longer than a millisecond.
    const rows = Array.from({ length: 20_000 }, (_, i) => at(i, i % 997));
    for (let i = 0; i < rows.length; i += 2_000) await sink.write(rows.slice(i, i + 2_000), live());
    await expect(sink.reader!.history!({ from: FROM, to: FROM + MINUTE, bucketMs: 1_000 })).rejects.toThrow(/statement timeout/);
  }, 30_000);
});
