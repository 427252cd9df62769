/**
 * The key store contract: where virtual keys and teams created at runtime (through the admin
 * API) live, with an audit trail of who changed what and a rollup of spend. Implementations live
 * in `switchyard/stores` (`memoryKeyStore`, `postgresKeyStore`); a community store proves itself
 * with `keyStoreConformance` from `switchyard/testing`.
 *
 * The request path only ever reads `current()`: the whole key set, held in memory. Writes (the
 * admin API) go to the backend and may fail while it is down; `current()` keeps answering with
 * the last key set it loaded.
 */

export type BudgetPeriod = "day" | "month" | "total";

/** Limits and a spend cap one key or team sets, over the `rateLimit` and `budget` plugins' defaults. */
export interface Limits {
  /** Requests per minute (each `rateLimit` of the scope uses it over its own `rpm`). */
  readonly rpm?: number;
  /** Tokens per minute. */
  readonly tpm?: number;
  /** Requests in flight at once. */
  readonly concurrent?: number;
  /** The spend cap in USD per `budgetPeriod`. */
  readonly budgetUsd?: number;
  readonly budgetPeriod?: BudgetPeriod;
}

export interface KeyRecord extends Limits {
  readonly id: string;
  /** The SHA-256 of the secret as 64 lowercase hex digits. The secret itself is never stored. */
  readonly hash: string;
  /** The secret's last four characters, to tell keys apart in a list. */
  readonly hint?: string;
  readonly team?: string;
  /** Models the key may use (aliases, `provider/model` ids, globs). Absent: all. */
  readonly models?: readonly string[];
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly disabled?: boolean;
  /** After this instant (ISO 8601) the key is refused. */
  readonly expiresAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TeamRecord extends Limits {
  readonly id: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Everything a gateway instance authenticates with, as last loaded. */
export interface KeySet {
  readonly keys: readonly KeyRecord[];
  readonly teams: readonly TeamRecord[];
  /** Where it came from: the backend, the snapshot on disk (the backend was unreachable at start), or nothing yet. */
  readonly source: "backend" | "snapshot" | "empty";
  /** When it was read from the backend (ms since the epoch); 0 when never. */
  readonly loadedAt: number;
}

/** One admin action, as the audit trail keeps it. */
export interface AuditEntry {
  readonly at: string;
  /** The admin key id that acted. */
  readonly actor: string;
  /** `key.create`, `key.update`, `key.rotate`, `key.delete`, `team.create` … */
  readonly action: string;
  /** `key:<id>` or `team:<id>`. */
  readonly target: string;
  /** The record before and after (keys without their hash); null where there was none. */
  readonly before: unknown;
  readonly after: unknown;
}

/** Spend of one key, team and model in one hour (UTC), as gateways add it up. */
export interface SpendRow {
  /** The start of the hour, ISO 8601. */
  readonly hour: string;
  /** Empty when the request had no key (no auth), no team, or no model. */
  readonly keyId: string;
  readonly team: string;
  readonly model: string;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface SpendQuery {
  readonly by: "key" | "team" | "model";
  /** Hours from this instant on (inclusive); default: all. */
  readonly from?: Date;
  /** Hours before this instant (exclusive); default: all. */
  readonly to?: Date;
}

export interface SpendTotal {
  /** The key id, team or model; empty for requests without one. */
  readonly id: string;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export interface KeyStoreHealth {
  /** Whether the backend answered the last time it was asked. */
  readonly available: boolean;
  readonly source: KeySet["source"];
  readonly loadedAt: number;
  /** The last backend error, while it is unavailable. */
  readonly lastError: string | null;
}

export interface KeyStore {
  /** A short name for status pages (`memory`, `postgres`). */
  readonly kind: string;
  /**
   * What the store points at (`postgres 127.0.0.1:5432/app switchyard_`), never a secret. On a
   * reload, a plugin keeps the store it has when the new config's store has the same identity.
   */
  readonly identity: string;
  /**
   * Load the key set and start following changes; resolves once `current()` holds the best key set
   * there is (the backend's, else a snapshot's). Idempotent. Never rejects because the backend is down.
   */
  start(): Promise<void>;
  /** The key set in memory. Never waits for the backend. */
  current(): KeySet;
  /** Told after each change of `current()` (own writes, other instances' writes, refreshes). */
  subscribe(listener: (set: KeySet) => void): () => void;

  /** Rejects with `KeyConflictError` when the id or the hash is taken. */
  createKey(record: KeyRecord, actor: string): Promise<void>;
  /** Read-modify-write under the backend's lock; null when there is no such key. */
  updateKey(id: string, change: (record: KeyRecord) => KeyRecord, actor: string, action?: string): Promise<KeyRecord | null>;
  /** The deleted record, or null when there was none. */
  deleteKey(id: string, actor: string): Promise<KeyRecord | null>;
  createTeam(record: TeamRecord, actor: string): Promise<void>;
  updateTeam(id: string, change: (record: TeamRecord) => TeamRecord, actor: string): Promise<TeamRecord | null>;
  deleteTeam(id: string, actor: string): Promise<TeamRecord | null>;
  /** Newest first. */
  audit(query?: { limit?: number; target?: string }): Promise<AuditEntry[]>;

  /** Add spend rows to the rollup (rows for the same hour, key, team and model add up). */
  addSpend(rows: readonly SpendRow[]): Promise<void>;
  /** Totals by key, team or model over a time range, largest spend first. */
  spend(query: SpendQuery): Promise<SpendTotal[]>;

  health(): KeyStoreHealth;
  /** Stop following changes and release connections. Idempotent. */
  close(): Promise<void>;
}

/** A key or team id, or a key's secret, is taken already. */
export class KeyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyConflictError";
  }
}

/** A record for an audit entry or an API answer: everything but the hash. */
export function publicKeyRecord(record: KeyRecord): Omit<KeyRecord, "hash"> {
  const { hash: _hash, ...rest } = record;
  return rest;
}
