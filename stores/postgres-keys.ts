import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Sql } from "postgres";
import { StoreUnavailableError } from "../core/counter-store.ts";
import {
  type AuditEntry,
  KeyConflictError,
  type KeyRecord,
  type KeySet,
  type KeyStore,
  type KeyStoreHealth,
  type SpendRow,
  type TeamRecord,
} from "../core/key-store.ts";
import { auditEntry, Listeners, spendKey } from "./key-set.ts";
import { onDroppedSocketWrite } from "../sinks/postgres-crash-guard.ts";

export interface PostgresKeyStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Prepended to the store's tables (`keys`, `teams`, `audit`, `spend`) and its notification channel. Default `switchyard_`. */
  tablePrefix?: string;
  /**
   * A file the last key set is written to (hashes, never secrets; mode 0600), read at start when
   * Postgres cannot be reached, so a restart during an outage still authenticates. `false` turns it
   * off. Default `.switchyard/key-snapshot.json` under the working directory.
   */
  snapshot?: string | false;
  /** The full reload that backs up change notifications, in ms. Default 30 000. */
  refreshMs?: number;
  /** How long `start` waits for Postgres before serving the snapshot. Default 5 000 ms. */
  startTimeoutMs?: number;
  /** Connections for reads and writes (the notification listener has its own). Default 2. */
  maxConnections?: number;
  /** Where outage and recovery messages go; each outage is logged once. Default `console`. */
  logger?: Pick<Console, "warn">;
}

const PREFIX = /^[a-z_][a-z0-9_]{0,40}$/;
/** Retry of the notification listener while Postgres is away. */
const RELISTEN_MS = 1_000;
/** Notifications that arrive together cost one reload. */
const NOTIFY_SETTLE_MS = 20;

interface Snapshot {
  readonly schema: "switchyard.keys/1";
  readonly savedAt: string;
  readonly keys: KeyRecord[];
  readonly teams: TeamRecord[];
}

/** `host:port/database`, never the password. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "postgres";
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "23505";
}

/**
 * Keys, teams, the audit trail and spend in PostgreSQL, shared by every gateway instance that
 * points at the same database. Each instance holds the whole key set in memory and learns of
 * changes within milliseconds through `LISTEN/NOTIFY` (every write notifies in its transaction),
 * with a full reload every `refreshMs` as the safety net. Postgres is never waited for on the
 * request path: while it is down, the last key set keeps authenticating, writes fail with
 * `StoreUnavailableError`, and the store catches up by itself once Postgres is back.
 */
export function postgresKeyStore(options: PostgresKeyStoreOptions): KeyStore {
  if (!options || typeof options.url !== "string") throw new TypeError("postgresKeyStore: options.url is required");
  const prefix = options.tablePrefix ?? "switchyard_";
  if (!PREFIX.test(prefix)) throw new TypeError(`postgresKeyStore: tablePrefix "${prefix}" must be lowercase letters, digits and _`);
  const tables = { keys: `${prefix}keys`, teams: `${prefix}teams`, audit: `${prefix}audit`, spend: `${prefix}spend` };
  const channel = `${prefix}keys_changed`;
  const snapshotPath = options.snapshot === false ? null : options.snapshot ?? ".switchyard/key-snapshot.json";
  const refreshMs = options.refreshMs ?? 30_000;
  const startTimeoutMs = options.startTimeoutMs ?? 5_000;
  const logger = options.logger ?? console;
  const location = where(options.url);
  const listeners = new Listeners<KeySet>();

  let set: KeySet = Object.freeze({ keys: [], teams: [], source: "empty", loadedAt: 0 });
  let fingerprint = "";
  let available = false;
  let lastError: string | null = null;
  let closed = false;
  let started: Promise<void> | null = null;
  let sql: Promise<Sql> | null = null;
  let listenClient: Sql | null = null;
  let listening = false;
  let relistenTimer: ReturnType<typeof setTimeout> | null = null;
  let refreshTimer: ReturnType<typeof setInterval> | null = null;
  let notifyTimer: ReturnType<typeof setTimeout> | null = null;
  let migrated: Promise<void> | null = null;
  let refreshing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let snapshotWrite: Promise<void> = Promise.resolve();
  let unguard: (() => void) | null = null;

  /**
   * After the driver's crash on a dropped connection (sinks/postgres-crash-guard.ts), which of the
   * store's two clients it came from is unknown and its connection can no longer flush: both are
   * let go, the next query makes a new one and the listener comes back as after any outage.
   */
  function startOver(): void {
    const broken = sql;
    sql = null;
    broken?.then((db) => db.end({ timeout: 0 })).catch(() => {});
    const listener = listenClient;
    listenClient = null;
    listening = false;
    listener?.end({ timeout: 0 }).catch(() => {});
    retryListen();
  }

  const driver = () => {
    if (!closed) unguard ??= onDroppedSocketWrite(startOver);
    return import("postgres").then((m) => m.default);
  };
  const connect = (): Promise<Sql> =>
    (sql ??= driver().then((postgres) =>
      postgres(options.url, { max: options.maxConnections ?? 2, connect_timeout: 2, idle_timeout: 60, onnotice: () => {} })
    ));

  function up(): void {
    if (!available && lastError !== null) logger.warn(`switchyard: key store postgres ${location} is reachable again`);
    available = true;
    lastError = null;
  }

  function down(error: unknown): StoreUnavailableError {
    const text = message(error);
    if (available || lastError === null) {
      logger.warn(`switchyard: key store postgres ${location} is unreachable (${text}); the last key set (${set.keys.length} keys) keeps authenticating`);
    }
    available = false;
    lastError = text;
    return new StoreUnavailableError("postgres", `key store postgres ${location}: ${text}`, error);
  }

  /** Run against the database, keeping `available` up to date; failures become `StoreUnavailableError`. */
  async function run<T>(work: (db: Sql) => Promise<T>): Promise<T> {
    if (closed) throw new StoreUnavailableError("postgres", "the key store is closed");
    let db: Sql;
    try {
      db = await connect();
      await migrate(db);
    } catch (error) {
      throw down(error);
    }
    try {
      const result = await work(db);
      up();
      return result;
    } catch (error) {
      if (error instanceof KeyConflictError || isUniqueViolation(error)) {
        up();
        throw error instanceof KeyConflictError ? error : new KeyConflictError("another key has this secret");
      }
      // A query the server refused (an SQLSTATE outside the connection classes 08 and 57) is not an outage.
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57)/.test(code)) throw error;
      throw down(error);
    }
  }

  function migrate(db: Sql): Promise<void> {
    migrated ??= db.begin(async (tx) => {
      // Instances starting together would race on the catalog; the lock makes them take turns.
      await tx`select pg_advisory_xact_lock(hashtext(${tables.keys}))`;
      await tx`create table if not exists ${db(tables.keys)} (id text primary key, hash text not null unique, record jsonb not null, updated_at timestamptz not null default now())`;
      await tx`create table if not exists ${db(tables.teams)} (id text primary key, record jsonb not null, updated_at timestamptz not null default now())`;
      await tx`create table if not exists ${db(tables.audit)} (seq bigserial primary key, at timestamptz not null default now(), actor text not null, action text not null, target text not null, before jsonb, after jsonb)`;
      await tx`create index if not exists ${db(`${tables.audit}_target_idx`)} on ${db(tables.audit)} (target, seq)`;
      await tx`create table if not exists ${db(tables.spend)} (
        hour timestamptz not null, key_id text not null, team text not null, model text not null,
        requests bigint not null, input_tokens bigint not null, output_tokens bigint not null, cost_usd double precision not null,
        primary key (hour, key_id, team, model))`;
    }).then(
      () => undefined,
      (error) => {
        migrated = null;
        throw error;
      },
    );
    return migrated;
  }

  function adopt(keys: KeyRecord[], teams: TeamRecord[], source: KeySet["source"], loadedAt: number): boolean {
    keys.sort((a, b) => a.id.localeCompare(b.id));
    teams.sort((a, b) => a.id.localeCompare(b.id));
    const print = JSON.stringify([keys, teams]);
    if (print === fingerprint && set.source === source) return false;
    fingerprint = print;
    set = Object.freeze({ keys: Object.freeze(keys), teams: Object.freeze(teams), source, loadedAt });
    listeners.tell(set);
    return true;
  }

  /**
   * Read the whole key set; on a change, tell listeners and write the snapshot. A call made while
   * a read runs gets the next one (the running read may have begun before the change it wants).
   */
  function refresh(): Promise<void> {
    if (refreshing === null) {
      refreshing = load().finally(() => {
        refreshing = null;
      });
      return refreshing;
    }
    queued ??= refreshing.catch(() => {}).then(() => {
      queued = null;
      return refresh();
    });
    return queued;
  }

  function load(): Promise<void> {
    return run(async (db) => {
      const [keys, teams] = await Promise.all([
        db<{ record: KeyRecord }[]>`select record from ${db(tables.keys)}`,
        db<{ record: TeamRecord }[]>`select record from ${db(tables.teams)}`,
      ]);
      return { keys: keys.map((r) => r.record), teams: teams.map((r) => r.record) };
    })
      .then(({ keys, teams }) => {
        if (adopt(keys, teams, "backend", Date.now())) saveSnapshot();
        else set = Object.freeze({ ...set, loadedAt: Date.now() });
      });
  }

  function saveSnapshot(): void {
    if (snapshotPath === null) return;
    const snapshot: Snapshot = { schema: "switchyard.keys/1", savedAt: new Date().toISOString(), keys: [...set.keys], teams: [...set.teams] };
    const temp = `${snapshotPath}.${Math.random().toString(36).slice(2)}.tmp`;
    // One write at a time, each whole (written aside, then renamed over), so a crash never leaves half a file.
    snapshotWrite = snapshotWrite.then(async () => {
      try {
        await mkdir(dirname(snapshotPath), { recursive: true });
        await writeFile(temp, JSON.stringify(snapshot), { mode: 0o600 });
        await rename(temp, snapshotPath);
      } catch (error) {
        logger.warn(`switchyard: key store cannot write its snapshot ${snapshotPath}: ${message(error)}`);
      }
    });
  }

  async function loadSnapshot(): Promise<boolean> {
    if (snapshotPath === null) return false;
    try {
      const snapshot = JSON.parse(await readFile(snapshotPath, "utf8")) as Snapshot;
      if (snapshot.schema !== "switchyard.keys/1" || !Array.isArray(snapshot.keys) || !Array.isArray(snapshot.teams)) return false;
      // A backend answer that arrived meanwhile wins.
      if (set.source === "backend") return true;
      adopt(snapshot.keys, snapshot.teams, "snapshot", 0);
      logger.warn(`switchyard: key store serving ${snapshot.keys.length} keys from ${snapshotPath} (saved ${snapshot.savedAt}) until postgres ${location} answers`);
      return true;
    } catch {
      return false;
    }
  }

  const onNotify = (): void => {
    if (notifyTimer !== null) return;
    notifyTimer = setTimeout(() => {
      notifyTimer = null;
      refresh().catch(() => {});
    }, NOTIFY_SETTLE_MS);
  };

  /** Keep a LISTEN connection; after each (re)connection reload, since notifications were missed meanwhile. */
  function listen(): void {
    if (closed || listening || relistenTimer !== null) return;
    void driver().then(async (postgres) => {
      if (closed) return;
      let client: Sql | null = null;
      // `onnotify` and `onclose` are driver options its types leave out (its own listen() uses them).
      const listenOptions = {
        max: 1,
        max_lifetime: null,
        connect_timeout: 2,
        fetch_types: false,
        onnotice: () => {},
        onnotify: (name: string) => {
          if (name === channel) onNotify();
        },
        onclose: () => {
          // A client let go by `startOver` closing is no news about the current one.
          if (listenClient !== client) return;
          listening = false;
          retryListen();
        },
      };
      client = listenClient ??= postgres(options.url, listenOptions as Parameters<typeof postgres>[1]);
      try {
        await client.unsafe(`listen "${channel}"`);
        if (listenClient !== client) return;
        listening = true;
        await refresh().catch(() => {});
      } catch {
        if (listenClient !== client) return;
        listening = false;
        retryListen();
      }
    });
  }

  function retryListen(): void {
    if (closed || relistenTimer !== null) return;
    relistenTimer = setTimeout(() => {
      relistenTimer = null;
      listen();
    }, RELISTEN_MS);
    unref(relistenTimer);
  }

  async function notifyChange(db: Sql): Promise<void> {
    await db`select pg_notify(${channel}, 'changed')`;
  }

  async function write<T>(work: (db: Sql) => Promise<T>): Promise<T> {
    const result = await run((db) => db.begin((tx) => work(tx as unknown as Sql)) as Promise<T>);
    // Read your own writes at once, not on the notification's round trip.
    await refresh().catch(() => {});
    return result;
  }

  async function recordAudit(db: Sql, entry: AuditEntry): Promise<void> {
    await db`insert into ${db(tables.audit)} (actor, action, target, before, after) values (${entry.actor}, ${entry.action}, ${entry.target}, ${db.json(entry.before as never)}, ${db.json(entry.after as never)})`;
  }

  function json(value: unknown): never {
    return value as never;
  }

  /** Keys and teams are kept alike: a row per id with the record as jsonb; a key's hash has its own (unique) column. */
  type Kind = "key" | "team";
  const tableOf = (kind: Kind): string => (kind === "key" ? tables.keys : tables.teams);
  const hashOf = (record: KeyRecord | TeamRecord): string | null => ("hash" in record ? record.hash : null);

  function createRow(kind: Kind, record: KeyRecord | TeamRecord, actor: string): Promise<void> {
    return write(async (db) => {
      const hash = hashOf(record);
      const inserted = hash === null
        ? await db`insert into ${db(tableOf(kind))} (id, record) values (${record.id}, ${db.json(json(record))}) on conflict (id) do nothing returning id`
        : await db`insert into ${db(tableOf(kind))} (id, hash, record) values (${record.id}, ${hash}, ${db.json(json(record))}) on conflict (id) do nothing returning id`;
      if (inserted.length === 0) throw new KeyConflictError(`a ${kind} with id "${record.id}" exists`);
      await recordAudit(db, auditEntry(actor, `${kind}.create`, `${kind}:${record.id}`, null, record));
      await notifyChange(db);
    });
  }

  function updateRow<R extends KeyRecord | TeamRecord>(kind: Kind, id: string, change: (record: R) => R, actor: string, action: string): Promise<R | null> {
    return write(async (db) => {
      const rows = await db<{ record: R }[]>`select record from ${db(tableOf(kind))} where id = ${id} for update`;
      if (rows.length === 0) return null;
      const after = change(rows[0].record);
      const hash = hashOf(after);
      await db`update ${db(tableOf(kind))} set record = ${db.json(json(after))}, updated_at = now() ${hash === null ? db`` : db`, hash = ${hash}`} where id = ${id}`;
      await recordAudit(db, auditEntry(actor, action, `${kind}:${id}`, rows[0].record, after));
      await notifyChange(db);
      return after;
    });
  }

  function deleteRow<R extends KeyRecord | TeamRecord>(kind: Kind, id: string, actor: string): Promise<R | null> {
    return write(async (db) => {
      const rows = await db<{ record: R }[]>`delete from ${db(tableOf(kind))} where id = ${id} returning record`;
      if (rows.length === 0) return null;
      await recordAudit(db, auditEntry(actor, `${kind}.delete`, `${kind}:${id}`, rows[0].record, null));
      await notifyChange(db);
      return rows[0].record;
    });
  }

  return {
    kind: "postgres",
    identity: `postgres ${location} ${prefix}`,

    start() {
      started ??= (async () => {
        const first = refresh();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), startTimeoutMs)));
        const loaded = await Promise.race([first.then(() => true, () => false), timedOut]);
        clearTimeout(timer);
        if (!loaded && !(await loadSnapshot()) && set.source === "empty") {
          logger.warn(`switchyard: key store postgres ${location} is unreachable and there is no snapshot; only keys from the config authenticate until it answers`);
        }
        listen();
        refreshTimer = setInterval(() => {
          refresh().catch(() => {});
          listen();
        }, refreshMs);
        unref(refreshTimer);
      })();
      return started;
    },
    current: () => set,
    subscribe: (listener) => listeners.add(listener),

    createKey: (record, actor) => createRow("key", record, actor),
    updateKey: (id, change, actor, action = "key.update") => updateRow("key", id, change, actor, action),
    deleteKey: (id, actor) => deleteRow<KeyRecord>("key", id, actor),
    createTeam: (record, actor) => createRow("team", record, actor),
    updateTeam: (id, change, actor) => updateRow("team", id, change, actor, "team.update"),
    deleteTeam: (id, actor) => deleteRow<TeamRecord>("team", id, actor),
    audit(query = {}) {
      const limit = Math.min(Math.max(1, query.limit ?? 100), 1000);
      return run(async (db) => {
        const rows = await db<{ at: Date; actor: string; action: string; target: string; before: unknown; after: unknown }[]>`
          select at, actor, action, target, before, after from ${db(tables.audit)}
          ${query.target === undefined ? db`` : db`where target = ${query.target}`}
          order by seq desc limit ${limit}`;
        return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, before: r.before, after: r.after }));
      });
    },

    async addSpend(rows) {
      if (rows.length === 0) return;
      // One row per hour, key, team and model, so a batch never updates one row twice.
      const merged = new Map<string, SpendRow>();
      for (const row of rows) {
        const key = spendKey(row);
        const sum = merged.get(key);
        merged.set(key, sum === undefined ? row : { ...sum, requests: sum.requests + row.requests, inputTokens: sum.inputTokens + row.inputTokens, outputTokens: sum.outputTokens + row.outputTokens, costUsd: sum.costUsd + row.costUsd });
      }
      const values = [...merged.values()].map((r) => ({
        hour: r.hour,
        key_id: r.keyId,
        team: r.team,
        model: r.model,
        requests: r.requests,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        cost_usd: r.costUsd,
      }));
      await run(async (db) => {
        const t = db(tables.spend);
        await db`insert into ${t} ${db(values)}
          on conflict (hour, key_id, team, model) do update set
            requests = ${t}.requests + excluded.requests,
            input_tokens = ${t}.input_tokens + excluded.input_tokens,
            output_tokens = ${t}.output_tokens + excluded.output_tokens,
            cost_usd = ${t}.cost_usd + excluded.cost_usd`;
      });
    },
    spend(query) {
      const column = query.by === "key" ? "key_id" : query.by === "team" ? "team" : "model";
      return run(async (db) => {
        const rows = await db<{ id: string; requests: string; input_tokens: string; output_tokens: string; cost_usd: number }[]>`
          select ${db(column)} as id, sum(requests) as requests, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_usd) as cost_usd
          from ${db(tables.spend)}
          where true ${query.from === undefined ? db`` : db`and hour >= ${query.from}`} ${query.to === undefined ? db`` : db`and hour < ${query.to}`}
          group by 1 order by 5 desc, 2 desc, 1`;
        return rows.map((r) => ({ id: r.id, requests: Number(r.requests), inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens), costUsd: Number(r.cost_usd) }));
      });
    },

    health: (): KeyStoreHealth => ({ available, source: set.source, loadedAt: set.loadedAt, lastError }),

    async close() {
      if (closed) return;
      closed = true;
      for (const timer of [relistenTimer, notifyTimer]) if (timer !== null) clearTimeout(timer);
      if (refreshTimer !== null) clearInterval(refreshTimer);
      unguard?.();
      unguard = null;
      await snapshotWrite;
      const pending = sql;
      sql = null;
      await Promise.all([pending?.then((db) => db.end({ timeout: 2 })).catch(() => {}), listenClient?.end({ timeout: 0 }).catch(() => {})]);
    },
  };
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
