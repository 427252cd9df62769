import type { Sql } from "postgres";
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
  "cache", "total_ms", "first_byte_ms", "upstream_ms", "overhead_ms", "bytes_in", "bytes_out", "record",
] as const;

const COLUMN_LIST = [...POSTGRES_COLUMNS];

/** `CREATE TABLE IF NOT EXISTS`, so every instance may run it at start. Typed columns for queries, jsonb for the rest. */
function migration(sql: Sql, table: string) {
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
      record jsonb not null
    )`;
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
  let migrated: Promise<void> | null = null;

  const connect = (): Promise<Sql> =>
    (sql ??= import("postgres").then(({ default: postgres }) =>
      postgres(options.url, {
        max: options.maxConnections ?? 2,
        connect_timeout: 10,
        idle_timeout: 60,
        onnotice: () => {},
        // The record column gets JSON text already encoded (once, NUL-safe); the driver would encode it again.
        types: { jsonbText: { to: 3802, from: [], serialize: (value: string) => value, parse: (value: string) => value } },
      })
    ));

  async function ready(): Promise<Sql> {
    const db = await connect();
    // A failed migration (database down) is tried again on the next write.
    migrated ??= migration(db, table).then(
      () => undefined,
      (error) => {
        migrated = null;
        throw error;
      },
    );
    await migrated;
    return db;
  }

  const reader: LogReader = {
    async find(query, limit, signal) {
      const db = await ready();
      const where = conditions(db, query);
      const rows = db`select record from ${db(table)} where ${where} order by time desc, seq desc limit ${Math.max(1, Math.min(limit, 1000))}`;
      const cancel = (): void => void rows.cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      try {
        // The driver decodes jsonb itself (the text-only type above is for writing).
        return (await rows).map((row) => (typeof row.record === "string" ? JSON.parse(row.record) : row.record) as LogRecord);
      } finally {
        signal?.removeEventListener("abort", cancel);
      }
    },
  };

  return {
    name: options.name ?? "postgres",
    reader,
    target: `${databaseOf(options.url)} table ${table}`,
    async write(batch, signal) {
      if (batch.length === 0) return;
      const db = await ready();
      if (signal.aborted) throw signal.reason;
      const query = db`insert into ${db(table)} ${db(batch.map(row), COLUMN_LIST)}`;
      const cancel = (): void => void query.cancel();
      signal.addEventListener("abort", cancel, { once: true });
      try {
        await query;
      } finally {
        signal.removeEventListener("abort", cancel);
      }
    },
    async close() {
      const pending = sql;
      sql = null;
      migrated = null;
      if (pending !== null) await (await pending).end({ timeout: 5 });
    },
  };
}
