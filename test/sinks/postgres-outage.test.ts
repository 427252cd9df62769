import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LogQueue } from "../../core/log-queue.ts";
import type { LogRecord } from "../../core/log-record.ts";
import type { LogSink } from "../../core/log-sink.ts";
import { postgresSink } from "../../sinks/postgres.ts";
import { sampleLogRecord } from "../../testing/index.ts";
import { DATABASE_URL, dropTables, query, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/redis-server.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

/**
 * The Postgres sink behind a proxy that makes the database vanish or stop answering, with the
 * log queue in front as the gateway runs it: whatever the database did meanwhile, every record
 * arrives once it answers again, and arrives once.
 */
describe("postgresSink through a database outage", () => {
  let proxy: TcpProxy;
  let url: string;
  const tables: string[] = [];
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const target = new URL(DATABASE_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(DATABASE_URL);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    url = viaProxy.toString();
  });

  afterEach(async () => {
    proxy.release();
    for (const closable of open.splice(0)) await closable.close();
  });

  afterAll(async () => {
    await proxy?.close();
    await dropTables(tables);
  });

  const sinkOn = (table: string): LogSink => {
    tables.push(table);
    const sink = postgresSink({ url, table });
    open.push({ close: async () => void (await sink.close?.()) });
    return sink;
  };
  const storedIds = (table: string): Promise<string[]> =>
    query((sql) => sql<{ request_id: string }[]>`select request_id from ${sql(table)} order by request_id`).then((rows) => rows.map((r) => r.request_id));
  const records = (prefix: string, n: number): LogRecord[] => Array.from({ length: n }, (_, i) => sampleLogRecord({ id: `${prefix}-${i}` }));
  const live = (): AbortSignal => new AbortController().signal;

  /** The database stops answering: connections are cut, new ones accepted and left waiting. */
  const stall = async (): Promise<void> => {
    await proxy.stop();
    // Time for the sink's client to see its connections close, so the next queries open new ones.
    await new Promise((r) => setTimeout(r, 100));
    proxy.hold();
    await proxy.start();
  };

  it("writes every record once the database answers again, after writes timed out waiting for a connection", async () => {
    const table = uniqueTable("stall");
    const sink = sinkOn(table);
    const queue = new LogQueue(sink, { flushIntervalMs: 10, writeTimeoutMs: 300, retries: 1000, backoff: { baseMs: 20, maxMs: 50 } });
    open.push({ close: () => queue.close(2000) });
    queue.push(records("before", 1)[0]);
    await queue.flush();
    expect(await storedIds(table)).toEqual(["before-0"]);

    await stall();
    const held = records("held", 5);
    for (const record of held) queue.push(record);
    // Enough timed-out tries for each of the pool's two connections to have been given up on while opening.
    await until(() => queue.stats().failedWrites >= 4, "writes to time out while the database does not answer");
    proxy.release();

    const expected = ["before-0", ...held.map((r) => r.id)];
    await until(async () => (await storedIds(table)).length >= expected.length, "every record in the table", 8000).catch(() => {});
    expect(await storedIds(table)).toEqual(expected);
  }, 20_000);

  it("can still read and write after reads were given up on while the database did not answer", async () => {
    const table = uniqueTable("stallread");
    const sink = sinkOn(table);
    await sink.write(records("before", 1), live());

    await stall();
    const reads = [0, 1].map(() => {
      const controller = new AbortController();
      const read = sink.reader!.find({}, 10, controller.signal).then(() => "answered", () => "given up");
      return { controller, read };
    });
    // Both reads wait for the read connection to open; then their callers leave.
    await new Promise((r) => setTimeout(r, 200));
    for (const { controller } of reads) controller.abort(new Error("the dashboard closed"));
    expect(await Promise.all(reads.map((r) => r.read))).toEqual(["given up", "given up"]);
    proxy.release();

    const settled = <T>(work: Promise<T>): Promise<string> => work.then(() => "done", (error: unknown) => `failed: ${String(error)}`);
    expect(await settled(sink.write(records("after", 2), AbortSignal.timeout(5000)))).toBe("done");
    const found = sink.reader!.find({}, 10, AbortSignal.timeout(5000));
    expect(await settled(found)).toBe("done");
    expect((await found).map((r) => r.id).sort()).toEqual(["after-0", "after-1", "before-0"]);
  }, 20_000);

  it("stores a batch written twice once, as when its first commit was acknowledged on a connection that dropped", async () => {
    const table = uniqueTable("twice");
    const sink = sinkOn(table);
    const batch = records("twice", 3);
    await sink.write(batch, live());
    await sink.write(batch, live());
    // A new record with a request id seen before (a client's own x-request-id) is a new row.
    await sink.write([sampleLogRecord({ id: "twice-0" })], live());
    expect(await storedIds(table)).toEqual(["twice-0", "twice-0", "twice-1", "twice-2"]);
  });

  it("takes over a table made before write keys, keeping its rows", async () => {
    const table = uniqueTable("oldtable");
    const old = sinkOn(table);
    await old.write(records("old", 2), live());
    await old.close?.();
    // As the sink made it before write keys existed.
    await query((sql) => sql`drop index ${sql(`${table}_write_key_idx`)}`.then(() => sql`alter table ${sql(table)} drop column write_key`));

    const sink = sinkOn(table);
    const batch = records("new", 2);
    await sink.write(batch, live());
    await sink.write(batch, live());
    expect(await storedIds(table)).toEqual(["new-0", "new-1", "old-0", "old-1"]);
  });
});
