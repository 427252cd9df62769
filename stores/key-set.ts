import { type AuditEntry, type KeyRecord, publicKeyRecord, type SpendQuery, type SpendRow, type SpendTotal, type TeamRecord } from "../core/key-store.ts";

/** What every key store shares: listeners told of each new key set. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // One listener's failure must not keep the others from the new key set.
      }
    }
  }
}

export function auditEntry(actor: string, action: string, target: string, before: KeyRecord | TeamRecord | null, after: KeyRecord | TeamRecord | null): AuditEntry {
  const shown = (record: KeyRecord | TeamRecord | null): unknown => (record === null ? null : "hash" in record ? publicKeyRecord(record) : record);
  return { at: new Date().toISOString(), actor, action, target, before: shown(before), after: shown(after) };
}

const HOUR_MS = 3_600_000;

/** The start of the UTC hour `at` falls in, as ISO 8601. */
export function hourOf(at: number): string {
  return new Date(Math.floor(at / HOUR_MS) * HOUR_MS).toISOString();
}

/** Rows for the same hour, key, team and model become one. */
export function spendKey(row: SpendRow): string {
  return `${row.hour}\u0001${row.keyId}\u0001${row.team}\u0001${row.model}`;
}

/** Sum spend rows by key, team or model over a time range, largest spend first. */
export function totalSpend(rows: Iterable<SpendRow>, query: SpendQuery): SpendTotal[] {
  const from = query.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = query.to?.getTime() ?? Number.POSITIVE_INFINITY;
  const totals = new Map<string, { id: string; requests: number; inputTokens: number; outputTokens: number; costUsd: number }>();
  for (const row of rows) {
    const hour = Date.parse(row.hour);
    if (hour < from || hour >= to) continue;
    const id = query.by === "key" ? row.keyId : query.by === "team" ? row.team : row.model;
    let total = totals.get(id);
    if (total === undefined) totals.set(id, (total = { id, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }));
    total.requests += row.requests;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.costUsd += row.costUsd;
  }
  return [...totals.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.id.localeCompare(b.id));
}
