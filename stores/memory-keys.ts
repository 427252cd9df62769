import { type AuditEntry, KeyConflictError, type KeyRecord, type KeySet, type KeyStore, type KeyStoreHealth, type SpendRow, type TeamRecord } from "../core/key-store.ts";
import { auditEntry, Listeners, spendKey, totalSpend } from "./key-set.ts";

export interface MemoryKeyStoreOptions {
  /** Keys and teams to start with. */
  keys?: KeyRecord[];
  teams?: TeamRecord[];
  /** Most audit entries kept (oldest dropped first). Default 10 000. */
  maxAudit?: number;
}

/**
 * A key store in process memory: for tests, development and single instances that may lose
 * runtime keys on restart. Every instance has its own; use `postgresKeyStore` to share keys
 * between instances and keep them across restarts.
 */
export function memoryKeyStore(options: MemoryKeyStoreOptions = {}): KeyStore {
  const keys = new Map<string, KeyRecord>((options.keys ?? []).map((k) => [k.id, k]));
  const teams = new Map<string, TeamRecord>((options.teams ?? []).map((t) => [t.id, t]));
  const audit: AuditEntry[] = [];
  const maxAudit = options.maxAudit ?? 10_000;
  const spend = new Map<string, SpendRow>();
  const listeners = new Listeners<KeySet>();
  let set: KeySet = snapshot();

  function snapshot(): KeySet {
    return Object.freeze({ keys: Object.freeze([...keys.values()]), teams: Object.freeze([...teams.values()]), source: "backend", loadedAt: Date.now() });
  }

  function changed(entry: AuditEntry): void {
    audit.push(entry);
    if (audit.length > maxAudit) audit.splice(0, audit.length - maxAudit);
    set = snapshot();
    listeners.tell(set);
  }

  /** No two keys may share a secret. */
  function checkHash(record: KeyRecord | TeamRecord): void {
    if (!("hash" in record)) return;
    for (const key of keys.values()) if (key.id !== record.id && key.hash === record.hash) throw new KeyConflictError("another key has this secret");
  }

  function create<R extends KeyRecord | TeamRecord>(kind: "key" | "team", records: Map<string, R>, record: R, actor: string): void {
    if (records.has(record.id)) throw new KeyConflictError(`a ${kind} with id "${record.id}" exists`);
    checkHash(record);
    records.set(record.id, record);
    changed(auditEntry(actor, `${kind}.create`, `${kind}:${record.id}`, null, record));
  }

  function update<R extends KeyRecord | TeamRecord>(kind: "key" | "team", records: Map<string, R>, id: string, change: (record: R) => R, actor: string, action: string): R | null {
    const before = records.get(id);
    if (before === undefined) return null;
    const after = change(before);
    checkHash(after);
    records.set(id, after);
    changed(auditEntry(actor, action, `${kind}:${id}`, before, after));
    return after;
  }

  function remove<R extends KeyRecord | TeamRecord>(kind: "key" | "team", records: Map<string, R>, id: string, actor: string): R | null {
    const before = records.get(id);
    if (before === undefined) return null;
    records.delete(id);
    changed(auditEntry(actor, `${kind}.delete`, `${kind}:${id}`, before, null));
    return before;
  }

  return {
    kind: "memory",
    identity: "memory",
    start: () => Promise.resolve(),
    current: () => set,
    subscribe: (listener) => listeners.add(listener),

    createKey: async (record, actor) => create("key", keys, record, actor),
    updateKey: async (id, change, actor, action = "key.update") => update("key", keys, id, change, actor, action),
    deleteKey: async (id, actor) => remove("key", keys, id, actor),
    createTeam: async (record, actor) => create("team", teams, record, actor),
    updateTeam: async (id, change, actor) => update("team", teams, id, change, actor, "team.update"),
    deleteTeam: async (id, actor) => remove("team", teams, id, actor),
    async audit(query = {}) {
      const entries = query.target === undefined ? audit : audit.filter((e) => e.target === query.target);
      return entries.slice(-(query.limit ?? 100)).reverse();
    },

    async addSpend(rows) {
      for (const row of rows) {
        const key = spendKey(row);
        const sum = spend.get(key);
        spend.set(key, sum === undefined ? { ...row } : {
          ...sum,
          requests: sum.requests + row.requests,
          inputTokens: sum.inputTokens + row.inputTokens,
          outputTokens: sum.outputTokens + row.outputTokens,
          costUsd: sum.costUsd + row.costUsd,
        });
      }
    },
    spend: async (query) => totalSpend(spend.values(), query),

    health: (): KeyStoreHealth => ({ available: true, source: "backend", loadedAt: set.loadedAt, lastError: null }),
    close: () => Promise.resolve(),
  };
}
