import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { LogSink } from "../../sinks/index.ts";
import { consoleSink, fileSink, httpSink, postgresSink } from "../../sinks/index.ts";
import { logSinkConformance } from "../../testing/index.ts";
import { type Collector, startCollector } from "../helpers/collector.ts";
import { DATABASE_URL, dropTables, storedRecords, uniqueTable } from "../helpers/postgres.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-sinks-"));
const tables: string[] = [];
let collector: Collector;

beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.close();
  await dropTables(tables);
  rmSync(dir, { recursive: true, force: true });
});

/** Each sink instance a check makes, with a way to read back what that instance stored. */
function withReader<T>(make: (n: number) => { sink: LogSink; read: () => Promise<unknown[]> }) {
  const readers = new WeakMap<LogSink, () => Promise<unknown[]>>();
  let n = 0;
  return {
    make: () => {
      const { sink, read } = make(n++);
      readers.set(sink, read);
      return sink;
    },
    read: (sink: LogSink) => readers.get(sink)!(),
  };
}

function readJsonLines(path: string): unknown[] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as unknown);
}

const suites: [string, ReturnType<typeof withReader>][] = [
  ["consoleSink", withReader(() => {
    const lines: unknown[] = [];
    const sink = consoleSink({ write: (text) => lines.push(...text.split("\n").map((l) => JSON.parse(l) as unknown)) });
    return { sink, read: async () => lines };
  })],
  ["fileSink", withReader((n) => {
    const path = join(dir, `file-${n}`, "requests.jsonl");
    return { sink: fileSink({ path }), read: async () => readJsonLines(path) };
  })],
  ["fileSink with a small rotation size (every batch lands in one file)", withReader((n) => {
    const path = join(dir, `rotating-${n}`, "requests.jsonl");
    const sink = fileSink({ path, rotate: { maxBytes: 64 * 1024, keep: 100 } });
    const read = async (): Promise<unknown[]> => {
      const out: unknown[] = [];
      for (let i = 100; i >= 1; i--) out.push(...readJsonLines(`${path}.${i}`));
      return out.concat(readJsonLines(path));
    };
    return { sink, read };
  })],
  ["httpSink (ndjson)", withReader((n) => {
    const path = `/ndjson/${n}`;
    return { sink: httpSink({ url: collector.url + path }), read: async () => collector.records(path) };
  })],
  ["httpSink (json, gzip)", withReader((n) => {
    const path = `/json-gzip/${n}`;
    return { sink: httpSink({ url: collector.url + path, format: "json", gzip: true }), read: async () => collector.records(path) };
  })],
  ["postgresSink", withReader(() => {
    const table = uniqueTable("conformance");
    tables.push(table);
    return { sink: postgresSink({ url: DATABASE_URL, table }), read: () => storedRecords(table) };
  })],
];

for (const [name, { make, read }] of suites) {
  describe(`${name} conformance`, () => {
    for (const check of logSinkConformance(make, read)) it(check.name, check.run);
  });
}

describe("conformance without a reader", () => {
  for (const check of logSinkConformance(() => consoleSink({ write: () => {} }))) it(check.name, check.run);
});
