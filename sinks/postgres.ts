import type { Sql } from "postgres";
import { onDroppedSocketWrite } from "./postgres-crash-guard.ts";
import type { LogRecord } from "../core/log-record.ts";
import { type LogHistoryBucket, type LogHistoryQuery, type LogQuery, type LogReader, type LogSink, MAX_HISTORY_BUCKETS } from "../core/log-sink.ts";

export interface PostgresSinkOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Table (optionally `schema.table`), created when missing. Default `switchyard_requests`. */
  table?: string;
  /** Connections in the sink's pool. Default 2 (writes are batched, one at a time). */
  maxConnections?: number;
  /** Default `postgres`. */
  name?: string;
  /**
   * Longest a read (the dashboard's search and history) may run, in ms, before Postgres cancels
   * it. Default 10 000. Reads use a connection of their own, opened on the first read, so a slow
   * one never holds up the writes.
   */
  readTimeoutMs?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}(?:\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/** The columns of a row, in table order; `record` holds the whole record. */
export const POSTGRES_COLUMNS = [
  "request_id", "time", "surface", "path", "key_id", "team", "requested_model", "provider", "model", "status",
  "fault", "error_code", "attempts", "input_tokens", "output_tokens", "cached_tokens", "reasoning_tokens", "cost_usd",
  "cache", "total_ms", "first_byte_ms", "upstream_ms", "overhead_ms", "bytes_in", "bytes_out", "record", "write_key",
] as const;

const COLUMN_LIST = [...POSTGRES_COLUMNS];

/** `CREATE TABLE IF NOT EXISTS`, so every instance may run it at start. Typed columns for queries, jsonb for the rest. */
function migrate(sql: Sql, table: string) {
  const index = table.replace(".", "_");
  return sql.begin(async (tx) => {
    // Instances starting together would race on the catalog; the lock makes them take turns.
    await tx`select pg_advisory_xact_lock(hashtext(${table}))`;
    await tx`create table if not exists ${sql(table)} (
      seq bigserial primary key,
      request_id text not null,
      time timestamptz not null,
      surface text not null,
      path text not null,
      key_id text,
      team text,
      requested_model text,
      provider text,
      model text,
      status integer not null,
      fault text,
      error_code text,
      attempts integer not null,
      input_tokens integer,
      output_tokens integer,
      cached_tokens integer,
      reasoning_tokens integer,
      cost_usd double precision,
      cache text,
      total_ms double precision not null,
      first_byte_ms double precision,
      upstream_ms double precision not null,
      overhead_ms double precision not null,
      bytes_in bigint not null,
      bytes_out bigint,
      record jsonb not null,
      write_key text
    )`;
    // Tables made before write keys get the column (null in their old rows, which the index allows).
    await tx`alter table ${sql(table)} add column if not exists write_key text`;
    await tx`create unique index if not exists ${sql(`${index}_write_key_idx`)} on ${sql(table)} (write_key)`;
    await tx`create index if not exists ${sql(`${index}_time_idx`)} on ${sql(table)} (time)`;
    await tx`create index if not exists ${sql(`${index}_request_id_idx`)} on ${sql(table)} (request_id)`;
  });
}

/** A query's filters as one SQL condition on the typed columns (`true` when there are none). */
function conditions(db: Sql, query: LogQuery) {
  const parts = [];
  if (query.id !== undefined) parts.push(db`request_id = ${query.id}`);
  if (query.key !== undefined) parts.push(db`key_id = ${query.key}`);
  if (query.team !== undefined) parts.push(db`team = ${query.team}`);
  if (query.model !== undefined) parts.push(db`(requested_model = ${query.model} or model = ${query.model})`);
  if (query.provider !== undefined) parts.push(db`provider = ${query.provider}`);
  if (query.status !== undefined) {
    const kind = /^([1-5])xx$/i.exec(query.status);
    const exact = Number(query.status);
    if (kind !== null) parts.push(db`status between ${Number(kind[1]) * 100} and ${Number(kind[1]) * 100 + 99}`);
    else parts.push(Number.isInteger(exact) ? db`status = ${exact}` : db`false`);
  }
  if (query.fault !== undefined) parts.push(query.fault === "none" ? db`fault is null` : db`fault = ${query.fault}`);
  if (query.since !== undefined) parts.push(db`time >= ${new Date(query.since)}`);
  if (query.until !== undefined) parts.push(db`time <= ${new Date(query.until)}`);
  if (parts.length === 0) return db`true`;
  return parts.slice(1).reduce((all, part) => db`${all} and ${part}`, parts[0]);
}

/** Checked before anything reaches the database: a bad range is the caller's mistake, not a query to run. */
function checkHistory(query: LogHistoryQuery): void {
  const { from, to, bucketMs } = query;
  if (![from, to, bucketMs].every(Number.isFinite) || bucketMs < 1_000 || from >= to) {
    throw new RangeError("postgresSink history: needs finite from < to and bucketMs of at least 1000");
  }
  if (Math.ceil((to - from) / bucketMs) > MAX_HISTORY_BUCKETS) {
    throw new RangeError(`postgresSink history: ${Math.ceil((to - from) / bucketMs)} buckets asked for, at most ${MAX_HISTORY_BUCKETS}`);
  }
}

interface HistoryRow {
  bucket: string;
  requests: number;
  client: number;
  policy: number;
  provider: number;
  gateway: number;
  total_p50: number;
  total_p95: number;
  total_p99: number;
  first_byte_p50: number | null;
  first_byte_p95: number | null;
  first_byte_p99: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/**
 * One row per bucket that holds requests, on the typed columns: the range condition on `time`
 * uses the table's time index, percentiles are Postgres's own `percentile_cont` (exact, not a
 * histogram; the three over one column share one sort), and no record's jsonb is read.
 */
function historyQuery(db: Sql, table: string, { from, to, bucketMs }: LogHistoryQuery) {
  return db<HistoryRow[]>`
    select floor((extract(epoch from time) * 1000 - ${from}::float8) / ${bucketMs}::float8)::bigint as bucket,
      count(*)::int as requests,
      (count(*) filter (where fault = 'client'))::int as client,
      (count(*) filter (where fault = 'policy'))::int as policy,
      (count(*) filter (where fault = 'provider'))::int as provider,
      (count(*) filter (where fault = 'gateway'))::int as gateway,
      percentile_cont(0.5) within group (order by total_ms) as total_p50,
      percentile_cont(0.95) within group (order by total_ms) as total_p95,
      percentile_cont(0.99) within group (order by total_ms) as total_p99,
      percentile_cont(0.5) within group (order by first_byte_ms) as first_byte_p50,
      percentile_cont(0.95) within group (order by first_byte_ms) as first_byte_p95,
      percentile_cont(0.99) within group (order by first_byte_ms) as first_byte_p99,
      coalesce(sum(input_tokens), 0)::float8 as input_tokens,
      coalesce(sum(output_tokens), 0)::float8 as output_tokens,
      coalesce(sum(cost_usd), 0)::float8 as cost_usd
    from ${db(table)}
    where time >= ${new Date(from)} and time < ${new Date(to)} and surface <> 'models'
    group by 1
    order by 1`;
}

function bucketOf(row: HistoryRow, { from, bucketMs }: LogHistoryQuery): LogHistoryBucket {
  return {
    start: from + Number(row.bucket) * bucketMs,
    requests: row.requests,
    faults: { client: row.client, policy: row.policy, provider: row.provider, gateway: row.gateway },
    totalMs: { p50: row.total_p50, p95: row.total_p95, p99: row.total_p99 },
    // percentile_cont skips nulls: all three are null exactly when no request got a first byte.
    firstByteMs: row.first_byte_p50 === null ? null : { p50: row.first_byte_p50, p95: row.first_byte_p95!, p99: row.first_byte_p99! },
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
  };
}

/**
 * Runs a read. When `signal` aborts, the caller stops waiting at once, and Postgres is asked to
 * cancel the read if it was sent. Not before: the driver (3.4.9) cancels a query still waiting for
 * its connection to open by rejecting it, and that connection, once open, never takes another
 * query (with one read connection, no read would run again; see `write`). A read left to run ends
 * by the read connection's statement timeout at the latest, with nobody waiting for it.
 */
function cancellable<T>(query: Promise<T> & { cancel(): unknown }, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return query;
  const cancel = (): void => {
    // The driver's mark of a query handed to an open connection (not in its types); without it, no cancel.
    if ((query as { state?: unknown }).state) void query.cancel();
  };
  signal.addEventListener("abort", cancel, { once: true });
  query.then(
    () => signal.removeEventListener("abort", cancel),
    () => signal.removeEventListener("abort", cancel),
  );
  return untilAborted(query, signal);
}

/** `host:port/database`, never the password, for the startup line. */
export function databaseOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres ${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "postgres";
  }
}

/**
 * Each record's key for the table's unique `write_key`, the same on every try to write it (also
 * from the queue that takes over on a reload, which gets the same record objects), unique across
 * instances. Not the request id: a client's own `x-request-id` is honoured, so two requests can
 * share one.
 */
const writeKeys = new WeakMap<LogRecord, string>();
const INSTANCE = /* @__PURE__ */ crypto.randomUUID();
let keysGiven = 0;

function writeKey(r: LogRecord): string {
  let key = writeKeys.get(r);
  if (key === undefined) {
    key = `${INSTANCE}.${(++keysGiven).toString(36)}`;
    writeKeys.set(r, key);
  }
  return key;
}

/** Postgres text and jsonb cannot hold U+0000; it becomes U+FFFD rather than failing the batch. */
function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === "string" && value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value;
}

function json(r: LogRecord): string {
  const encoded = JSON.stringify(r);
  return encoded.includes("\\u0000") ? JSON.stringify(r, withoutNul) : encoded;
}

function text(value: string | null): string | null {
  return value !== null && value.includes("\0") ? value.replaceAll("\0", "\uFFFD") : value;
}

function row(r: LogRecord): Record<(typeof POSTGRES_COLUMNS)[number], string | number | null> {
  return {
    request_id: text(r.id),
    time: r.time,
    surface: r.surface,
    path: text(r.path),
    key_id: text(r.principal?.id ?? null),
    team: text(r.principal?.team ?? null),
    requested_model: text(r.requested.model),
    provider: text(r.served?.provider ?? null),
    model: text(r.served?.model ?? null),
    status: r.status,
    fault: r.error?.fault ?? null,
    error_code: text(r.error?.code ?? null),
    attempts: r.attempts.length,
    input_tokens: r.usage?.inputTokens ?? null,
    output_tokens: r.usage?.outputTokens ?? null,
    cached_tokens: r.usage?.cachedTokens ?? null,
    reasoning_tokens: r.usage?.reasoningTokens ?? null,
    cost_usd: r.costUsd,
    cache: r.cache,
    total_ms: r.timings.totalMs,
    first_byte_ms: r.timings.firstByteMs,
    upstream_ms: r.timings.upstreamMs,
    overhead_ms: r.timings.overheadMs,
    bytes_in: r.bytes.in,
    bytes_out: r.bytes.out,
    record: json(r),
    write_key: writeKey(r),
  };
}

/**
 * Records as rows of a Postgres table, one multi-row INSERT per batch, through the `postgres`
 * driver (loaded on first write; it runs on Node, Deno and Bun). The table is created on the
 * first write if it does not exist.
 */
export function postgresSink(options: PostgresSinkOptions): LogSink {
  if (!options || typeof options.url !== "string") throw new TypeError("postgresSink: options.url is required");
  const table = options.table ?? "switchyard_requests";
  if (!IDENTIFIER.test(table)) throw new TypeError(`postgresSink: table "${table}" must be a plain identifier or schema.table`);
  const readTimeoutMs = options.readTimeoutMs ?? 10_000;
  if (!Number.isInteger(readTimeoutMs) || readTimeoutMs < 1) throw new TypeError("postgresSink: readTimeoutMs must be a positive integer");
  let sql: Promise<Sql> | null = null;
  let reads: Promise<Sql> | null = null;
  let migration: Promise<void> | null = null;
  let unguard: (() => void) | null = null;

  /**
   * Let a client go, for a new one on the next query: after the driver's crash on a dropped
   * connection (its connection can no longer flush), or after a write that did not settle in time.
   */
  const retire = (client: Promise<Sql> | null): void => {
    if (client === null) return;
    if (sql === client) sql = null;
    if (reads === client) reads = null;
    client.then((db) => db.end({ timeout: 0 })).catch(() => {});
  };

  const openClient = (max: number, connection: Record<string, string | number>, fetchTypes: boolean): Promise<Sql> =>
    import("postgres").then(({ default: postgres }) =>
      postgres(options.url, {
        max,
        fetch_types: fetchTypes,
        connect_timeout: 10,
        idle_timeout: 60,
        // The log queue paces retries itself. The driver's own delay before reconnecting grows
        // to 10-20 s after a few failed attempts, which would hold the first write after an
        // outage back that long.
        backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
        onnotice: () => {},
        connection,
        // The record column gets JSON text already encoded (once, NUL-safe); the driver would encode it again.
        types: { jsonbText: { to: 3802, from: [], serialize: (value: string) => value, parse: (value: string) => value } },
      })
    );
  const connect = (): Promise<Sql> => (sql ??= openClient(options.maxConnections ?? 2, {}, true));
  // One connection for reads, where every statement is read-only and has a time limit, set once
  // when it connects: a search or a week of history cannot take the writers' connections. Its
  // reads need no array types, so the driver's catalog query for them (which the time limit
  // would also bound, failing where no caller hears it) is not run.
  const readConnection = (): Promise<Sql> => (reads ??= openClient(1, { statement_timeout: readTimeoutMs, default_transaction_read_only: "on" }, false));

  /** The writers' client (a new one after `retire`), watched by the crash guard. */
  function writers(): Promise<Sql> {
    unguard ??= onDroppedSocketWrite(() => {
      retire(sql);
      retire(reads);
    });
    return connect();
  }

  /** The table, made once per sink; a failed migration (database down) is tried again on the next call. */
  function migrated(db: Sql): Promise<void> {
    migration ??= migrate(db, table).then(
      () => undefined,
      (error) => {
        migration = null;
        throw error;
      },
    );
    return migration;
  }

  /** The read connection, once the table exists (the first read of an empty database creates it). */
  async function forReading(): Promise<Sql> {
    await migrated(await writers());
    return readConnection();
  }

  const reader: LogReader = {
    async find(query, limit, signal) {
      const db = await forReading();
      const where = conditions(db, query);
      const rows = await cancellable(db`select record from ${db(table)} where ${where} order by time desc, seq desc limit ${Math.max(1, Math.min(limit, 1000))}`, signal);
      // The driver decodes jsonb itself (the text-only type above is for writing).
      return rows.map((row) => (typeof row.record === "string" ? JSON.parse(row.record) : row.record) as LogRecord);
    },
    async history(query, signal) {
      checkHistory(query);
      const db = await forReading();
      const rows = await cancellable(historyQuery(db, table, query), signal);
      return rows.map((row) => bucketOf(row, query));
    },
  };

  return {
    name: options.name ?? "postgres",
    reader,
    target: `${databaseOf(options.url)} table ${table}`,
    async write(batch, signal) {
      if (batch.length === 0) return;
      if (signal.aborted) throw signal.reason;
      const pending = writers();
      // A write given up on (timed out, or past shutdown's deadline) lets its client go rather than
      // cancel its query: the driver (3.4.9) cancels a query that still waits for its connection to
      // open by rejecting it, and that connection, once open, never takes another query. Two such
      // cancels while the database is slow to answer and the pool has no connection left: every
      // later write waits for good. Letting the client go rejects whatever it holds, and the next
      // write starts on a new one.
      const onAbort = (): void => retire(pending);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        const db = await pending;
        await migrated(db);
        if (signal.aborted) throw signal.reason;
        // Each record keeps its write key across tries, so a batch written again (its first try's
        // commit acknowledged on a connection that dropped) adds nothing.
        await db`insert into ${db(table)} ${db(batch.map(row), COLUMN_LIST)} on conflict (write_key) do nothing`;
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    },
    async close() {
      const pending = [sql, reads];
      sql = null;
      reads = null;
      migration = null;
      unguard?.();
      unguard = null;
      for (const open of pending) if (open !== null) await (await open).end({ timeout: 5 });
    },
  };
}

/** `work`, or the signal's reason as soon as it is aborted (`work` then settles unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
