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

  return {
    kind: "memory",
    identity: "memory",
    start: () => Promise.resolve(),
    current: () => set,
    subscribe: (listener) => listeners.add(listener),

    async createKey(record, actor) {
      if (keys.has(record.id)) throw new KeyConflictError(`a key with id "${record.id}" exists`);
      for (const key of keys.values()) if (key.hash === record.hash) throw new KeyConflictError("another key has this secret");
      keys.set(record.id, record);
      changed(auditEntry(actor, "key.create", `key:${record.id}`, null, record));
    },
    async updateKey(id, change, actor, action = "key.update") {
      const before = keys.get(id);
      if (before === undefined) return null;
      const after = change(before);
      for (const key of keys.values()) if (key.id !== id && key.hash === after.hash) throw new KeyConflictError("another key has this secret");
      keys.set(id, after);
      changed(auditEntry(actor, action, `key:${id}`, before, after));
      return after;
    },
    async deleteKey(id, actor) {
      const before = keys.get(id);
      if (before === undefined) return null;
      keys.delete(id);
      changed(auditEntry(actor, "key.delete", `key:${id}`, before, null));
      return before;
    },
    async createTeam(record, actor) {
      if (teams.has(record.id)) throw new KeyConflictError(`a team with id "${record.id}" exists`);
      teams.set(record.id, record);
      changed(auditEntry(actor, "team.create", `team:${record.id}`, null, record));
    },
    async updateTeam(id, change, actor) {
      const before = teams.get(id);
      if (before === undefined) return null;
      const after = change(before);
      teams.set(id, after);
      changed(auditEntry(actor, "team.update", `team:${id}`, before, after));
      return after;
    },
    async deleteTeam(id, actor) {
      const before = teams.get(id);
      if (before === undefined) return null;
      teams.delete(id);
      changed(auditEntry(actor, "team.delete", `team:${id}`, before, null));
      return before;
    },
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
