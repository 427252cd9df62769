import type { Sql } from "postgres";
import { onDroppedSocketWrite } from "./postgres-crash-guard.ts";
import type { LogRecord } from "../core/log-record.ts";
import type { LogQuery, LogReader, LogSink } from "../core/log-sink.ts";

export interface PostgresSinkOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Table (optionally `schema.table`), created when missing. Default `switchyard_requests`. */
  table?: string;
  /** Connections in the sink's pool. Default 2 (writes are batched, one at a time). */
  maxConnections?: number;
  /** Default `postgres`. */
  name?: string;
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
  let sql: Promise<Sql> | null = null;
  let migration: Promise<void> | null = null;
  let unguard: (() => void) | null = null;

  /**
   * Let a client go, for a new one on the next write: after the driver's crash on a dropped
   * connection (its connection can no longer flush), or after a write that did not settle in time.
   */
  const retire = (client: Promise<Sql> | null): void => {
    if (client === null) return;
    if (sql === client) sql = null;
    client.then((db) => db.end({ timeout: 0 })).catch(() => {});
  };

  const connect = (): Promise<Sql> =>
    (sql ??= import("postgres").then(({ default: postgres }) =>
      postgres(options.url, {
        max: options.maxConnections ?? 2,
        connect_timeout: 10,
        idle_timeout: 60,
        // The log queue paces retries itself. The driver's own delay before reconnecting grows
        // to 10-20 s after a few failed attempts, which would hold the first write after an
        // outage back that long.
        backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
        onnotice: () => {},
        // The record column gets JSON text already encoded (once, NUL-safe); the driver would encode it again.
        types: { jsonbText: { to: 3802, from: [], serialize: (value: string) => value, parse: (value: string) => value } },
      })
    ));

  /** The client for the next query (a new one after `retire`), watched by the crash guard. */
  function client(): Promise<Sql> {
    unguard ??= onDroppedSocketWrite(() => retire(sql));
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

  const reader: LogReader = {
    find(query, limit, signal) {
      const rows = (async () => {
        const db = await client();
        await migrated(db);
        const where = conditions(db, query);
        const found = await db`select record from ${db(table)} where ${where} order by time desc, seq desc limit ${Math.max(1, Math.min(limit, 1000))}`;
        // The driver decodes jsonb itself (the text-only type above is for writing).
        return found.map((row) => (typeof row.record === "string" ? JSON.parse(row.record) : row.record) as LogRecord);
      })();
      // Not cancelled when the caller gives up: the driver's cancel of a query still waiting for its
      // connection leaves that connection unusable (see `write`). The read, bounded by its limit,
      // finishes on its own with nobody waiting for it.
      return signal === undefined ? rows : untilAborted(rows, signal);
    },
  };

  return {
    name: options.name ?? "postgres",
    reader,
    target: `${databaseOf(options.url)} table ${table}`,
    async write(batch, signal) {
      if (batch.length === 0) return;
      if (signal.aborted) throw signal.reason;
      const pending = client();
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
      const pending = sql;
      sql = null;
      migration = null;
      unguard?.();
      unguard = null;
      if (pending !== null) await (await pending).end({ timeout: 5 });
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
