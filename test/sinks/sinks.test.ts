import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileSink, httpSink, postgresSink } from "../../sinks/index.ts";
import { sampleLogRecord } from "../../testing/index.ts";
import { startCollector } from "../helpers/collector.ts";
import { DATABASE_URL, dropTables, query, uniqueTable } from "../helpers/postgres.ts";

const dir = mkdtempSync(join(tmpdir(), "switchyard-sink-"));
const tables: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropTables(tables);
});
const live = (): AbortSignal => new AbortController().signal;
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => sampleLogRecord({ id: `r${from + i}` }));
const lines = (path: string): string[] => readFileSync(path, "utf8").trim().split("\n");

describe("fileSink rotation", () => {
  it("starts a new file before one would pass maxBytes, keeping at most `keep` old ones", async () => {
    const path = join(dir, "size", "requests.jsonl");
    const lineBytes = Buffer.byteLength(JSON.stringify(sampleLogRecord({ id: "r1000" })) + "\n");
    const sink = fileSink({ path, rotate: { maxBytes: lineBytes * 10, keep: 2 } });
    for (let b = 0; b < 5; b++) await sink.write(batch(1000 + b * 6, 6), live());
    await sink.close!();
    expect(readdirSync(join(dir, "size")).sort()).toEqual(["requests.jsonl", "requests.jsonl.1", "requests.jsonl.2"]);
    // Each file holds whole batches (6 lines fit, 12 would not), the newest in the live file.
    expect(lines(path).map((l) => JSON.parse(l).id)).toEqual(batch(1024, 6).map((r) => r.id));
    expect(lines(`${path}.1`)).toHaveLength(6);
    expect(lines(`${path}.2`)).toHaveLength(6);
  });

  it("starts a new file once the current one is maxAgeMs old", async () => {
    const path = join(dir, "age", "requests.jsonl");
    let now = 1_000_000;
    const sink = fileSink({ path, rotate: { maxAgeMs: 60_000 }, clock: () => now });
    await sink.write(batch(0, 2), live());
    now += 59_999;
    await sink.write(batch(2, 1), live());
    now += 1;
    await sink.write(batch(3, 1), live());
    await sink.close!();
    expect(lines(`${path}.1`)).toHaveLength(3);
    expect(lines(path)).toHaveLength(1);
  });

  it("refuses a missing path or nonsense rotation", () => {
    expect(() => fileSink({ path: "" })).toThrow(/path/);
    expect(() => fileSink({ path: "x", rotate: { keep: 0 } })).toThrow(/keep/);
  });
});

describe("httpSink", () => {
  it("fails a write the collector answers with an error status", async () => {
    const collector = await startCollector({ status: 503 });
    try {
      await expect(httpSink({ url: `${collector.url}/in` }).write(batch(0, 1), live())).rejects.toThrow(/answered 503/);
    } finally {
      await collector.close();
    }
  });

  it("sends the configured headers, and never puts them in the error message", async () => {
    const seen: Headers[] = [];
    const sink = httpSink({
      url: "http://collector.test/in",
      headers: { authorization: "Bearer collector-secret-123" },
      fetch: async (_url, init) => {
        seen.push(new Headers(init!.headers));
        return new Response("no", { status: 401 });
      },
    });
    const failure = await sink.write(batch(0, 1), live()).catch((e: Error) => e);
    expect(seen[0].get("authorization")).toBe("Bearer collector-secret-123");
    expect(seen[0].get("content-type")).toBe("application/x-ndjson");
    expect(String(failure)).not.toContain("collector-secret");
  });

  it("refuses an invalid url or format", () => {
    expect(() => httpSink({ url: "not a url" })).toThrow();
    expect(() => httpSink({ url: "http://x.test", format: "xml" as "json" })).toThrow(/format/);
  });
});

describe("postgresSink", () => {
  it("creates its table with typed columns, idempotently, and fills them from the record", async () => {
    const table = uniqueTable("columns");
    tables.push(table);
    for (let i = 0; i < 2; i++) {
      const sink = postgresSink({ url: DATABASE_URL, table });
      await sink.write([sampleLogRecord({ id: `typed-${i}`, userAgent: "nul\u0000byte" })], live());
      await sink.close!();
    }
    const rows = await query((sql) => sql`select request_id, key_id, provider, status, input_tokens, cost_usd, total_ms, record->>'userAgent' as ua from ${sql(table)} order by seq`);
    expect(rows).toEqual([
      { request_id: "typed-0", key_id: "team-a", provider: "openai", status: 200, input_tokens: 12, cost_usd: 0.0000198, total_ms: 121.2, ua: "nul\uFFFDbyte" },
      { request_id: "typed-1", key_id: "team-a", provider: "openai", status: 200, input_tokens: 12, cost_usd: 0.0000198, total_ms: 121.2, ua: "nul\uFFFDbyte" },
    ]);
  });

  it("refuses a table name that is not a plain identifier", () => {
    expect(() => postgresSink({ url: DATABASE_URL, table: "x; drop table y" })).toThrow(/plain identifier/);
  });

  it("rejects a write while the database is unreachable (the queue then retries and counts)", async () => {
    const sink = postgresSink({ url: "postgres://postgres@127.0.0.1:1/test" });
    await expect(sink.write(batch(0, 1), live())).rejects.toThrow();
    await sink.close!();
  });
});
