import type { LogRecord } from "../core/log-record.ts";
import type { LogSink } from "../core/log-sink.ts";
import type { ConformanceCase } from "./counter-store-conformance.ts";
import { sampleLogRecord } from "./log-record-sample.ts";

/** What a sink stored, for checks that look at it: the records as JSON values, oldest first. */
export type ReadSink = (sink: LogSink) => Promise<readonly unknown[]>;

/**
 * The log sink contract as a list of checks, independent of any test framework:
 *
 * ```ts
 * for (const check of logSinkConformance(() => mySink(), readBack)) it(check.name, check.run);
 * ```
 *
 * Each check makes its own sink with `makeSink` and closes it at the end. With `read`, which
 * returns what one sink instance stored, checks also prove that records arrive whole, in order,
 * and byte-for-byte equal as JSON; without it only the contract's behaviour is checked.
 */
export function logSinkConformance(makeSink: () => LogSink | Promise<LogSink>, read?: ReadSink): ConformanceCase[] {
  const run = (name: string, body: (sink: LogSink, record: (n: number, extra?: Partial<LogRecord>) => LogRecord) => Promise<void>): ConformanceCase => ({
    name,
    async run() {
      const sink = await makeSink();
      const id = Math.random().toString(36).slice(2, 10);
      try {
        await body(sink, (n, extra) => sampleLogRecord({ id: `req_${id}_${n}`, ...extra }));
      } finally {
        await sink.close?.();
      }
    },
  });
  const readIds = async (sink: LogSink): Promise<string[]> => {
    await sink.flush?.();
    return (await read!(sink)).map((r) => (r as { id?: unknown }).id as string);
  };
  const live = (): AbortSignal => new AbortController().signal;

  const cases: ConformanceCase[] = [
    run("has a non-empty name", async (sink) => {
      check(typeof sink.name === "string" && sink.name.length > 0, `name is ${JSON.stringify(sink.name)}`);
    }),

    run("write returns a promise that resolves for a good batch, and an empty batch is accepted", async (sink, record) => {
      const result = sink.write([record(1), record(2)], live());
      check(typeof (result as Promise<void>)?.then === "function", "write did not return a promise");
      await result;
      await sink.write([], live());
    }),

    run("flush and close may each be called twice", async (sink, record) => {
      await sink.write([record(1)], live());
      await sink.flush?.();
      await sink.flush?.();
      await sink.close?.();
      await sink.close?.();
    }),

    run("a write whose signal is already aborted settles promptly (resolves or rejects, never hangs)", async (sink, record) => {
      const controller = new AbortController();
      controller.abort(new Error("write timeout"));
      const settled = await Promise.race([
        sink.write([record(1)], controller.signal).then(() => "resolved", () => "rejected"),
        sleep(5000).then(() => "hung"),
      ]);
      check(settled !== "hung", "the write did not settle within 5 s of an aborted signal");
    }),
  ];
  if (read === undefined) return cases;

  return cases.concat([
    run("every record of a batch is stored once, in order, equal as JSON (key order aside)", async (sink, record) => {
      const batch = [record(1), record(2), record(3)];
      await sink.write(batch, live());
      const stored = await read(sink);
      equal(stored.length, 3, "records stored");
      for (let i = 0; i < batch.length; i++) sameJson(stored[i], batch[i], `record ${i}`);
    }),

    run("consecutive batches all arrive, in write order", async (sink, record) => {
      const expected: string[] = [];
      for (let b = 0; b < 4; b++) {
        const batch = Array.from({ length: 25 }, (_, i) => record(b * 25 + i));
        expected.push(...batch.map((r) => r.id));
        await sink.write(batch, live());
      }
      equal((await readIds(sink)).join(","), expected.join(","), "ids in order");
    }),

    run("a large batch (2000 records) is written whole", async (sink, record) => {
      const batch = Array.from({ length: 2000 }, (_, i) => record(i));
      await sink.write(batch, live());
      const ids = await readIds(sink);
      equal(ids.length, 2000, "records stored");
      equal(ids[1999], batch[1999].id, "the last record");
    }),

    run("text with newlines, quotes, backslashes and non-ASCII survives", async (sink, record) => {
      const awkward = record(1, {
        userAgent: 'line\nbreak "quoted" back\\slash tab\t é 中文 🚀 \u2028',
        error: { code: "x", type: "api_error", fault: "provider", message: "carriage\r\nreturn" },
      });
      await sink.write([awkward], live());
      const stored = await read(sink);
      equal(stored.length, 1, "records stored");
      sameJson(stored[0], awkward, "the record");
    }),
  ]);
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`log sink conformance: ${what}`);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  check(actual === expected, `${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** JSON with object keys sorted, so stores that reorder keys (jsonb) compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v);
}

function sameJson(actual: unknown, expected: unknown, what: string): void {
  const a = canonical(actual);
  const b = canonical(expected);
  check(a === b, `${what}: expected ${b}, got ${a}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    (timer as { unref?: () => void }).unref?.();
  });
}
