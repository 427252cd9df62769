import type { CounterStore, LeaseDecision, RateDecision, RateRule } from "../core/counter-store.ts";
import { gcraAdjust, gcraConsume } from "./gcra.ts";

export interface MemoryStoreOptions {
  /**
   * Most keys held at once. When full, expired keys are swept and then the oldest keys dropped,
   * which forgets their state (a dropped limiter starts fresh). Default 100 000.
   */
  maxKeys?: number;
  /** Clock in ms since the epoch; tests may inject one. Default `Date.now`. */
  now?: () => number;
}

/** The memory store answers every operation synchronously; its types say so. */
export interface MemoryStore extends CounterStore {
  /** Keys held now (expired ones may linger until swept). */
  readonly size: number;
  consume(key: string, rule: RateRule, cost: number): RateDecision;
  adjust(key: string, rule: RateRule, delta: number): void;
  increment(key: string, amount: number, ttlMs?: number): number;
  get(key: string): number;
  acquire(key: string, id: string, limit: number, leaseMs: number): LeaseDecision;
  release(key: string, id: string): void;
  close(): void;
}

/** One key's state: a TAT or counter in `value`, or lease holders (id → expiry). */
class Entry {
  value = 0;
  expiresAt = Number.POSITIVE_INFINITY;
  holders: Map<string, number> | null = null;
}

/**
 * Where a worker of `switchyard start --workers N` puts the factory of its view of the primary's
 * store; a symbol on `globalThis`, so every copy of this module finds it.
 */
export const SHARED_MEMORY_STORE: unique symbol = Symbol.for("switchyard.sharedMemoryStore");

/**
 * The in-process counter store: every operation answers synchronously, so a limiter on it adds
 * no promise to the request path. Limits are per process; use `redisStore` to share them between
 * machines. Under `switchyard start --workers N` the primary process holds one memory store for
 * every worker (so limits stay exact across workers), and operations answer with promises.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const shared = (globalThis as Record<symbol, unknown>)[SHARED_MEMORY_STORE] as ((options: MemoryStoreOptions) => MemoryStore) | undefined;
  if (shared !== undefined && options.now === undefined) return shared(options);
  const maxKeys = options.maxKeys ?? 100_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError("memoryStore: maxKeys must be a positive integer");
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** An entry's value while it lives; undefined for a missing or expired one (which stays, for reuse). */
  function liveValue(entry: Entry | undefined, at: number): number | undefined {
    return entry !== undefined && entry.expiresAt > at ? entry.value : undefined;
  }

  function create(key: string, at: number): Entry {
    if (entries.size >= maxKeys) makeRoom(at);
    const entry = new Entry();
    entries.set(key, entry);
    return entry;
  }

  function makeRoom(at: number): void {
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
    // Still full: drop the oldest keys (Map order is insertion order), a sixteenth at a time so
    // a full store does not sweep on every insert.
    let excess = entries.size - maxKeys + Math.max(1, maxKeys >> 4);
    if (entries.size < maxKeys) return;
    for (const key of entries.keys()) {
      if (excess-- <= 0) break;
      entries.delete(key);
    }
  }

  return {
    kind: "memory",
    get size() {
      return entries.size;
    },

    // consume, adjust and acquire reuse a key's expired entry in place: under load a generous
    // limit's state expires between requests, and deleting and re-adding the entry each time cost
    // two Map writes and an allocation per key per request.
    consume(key: string, rule: RateRule, cost: number): RateDecision {
      const at = now();
      const entry = entries.get(key);
      const current = liveValue(entry, at);
      const step = gcraConsume(current, at, rule, cost);
      if (step.tat !== null) {
        const target = entry ?? create(key, at);
        target.value = step.tat;
        target.expiresAt = step.tat;
      } else if (entry !== undefined && current === undefined) entries.delete(key);
      return step.decision;
    },

    adjust(key: string, rule: RateRule, delta: number): void {
      const at = now();
      const entry = entries.get(key);
      const current = liveValue(entry, at);
      const tat = gcraAdjust(current, at, rule, delta);
      if (tat === null) {
        if (entry !== undefined) entries.delete(key);
        return;
      }
      const target = entry ?? create(key, at);
      target.value = tat;
      target.expiresAt = tat;
    },

    increment(key: string, amount: number, ttlMs?: number): number {
      const at = now();
      let entry = live(key, at);
      if (entry === undefined) {
        entry = create(key, at);
        if (ttlMs !== undefined && ttlMs > 0) entry.expiresAt = at + ttlMs;
      }
      entry.value += amount;
      return entry.value;
    },

    get(key: string): number {
      return live(key, now())?.value ?? 0;
    },

    acquire(key: string, id: string, limit: number, leaseMs: number): LeaseDecision {
      const at = now();
      let entry = entries.get(key);
      let fresh = false;
      if (entry === undefined) {
        entry = create(key, at);
        fresh = true;
      } else if (entry.expiresAt <= at) {
        // Every lease it held has lapsed.
        entry.holders?.clear();
        fresh = true;
      }
      const holders = (entry.holders ??= new Map());
      // Lapsed leases (releases lost to a crash) matter only when they would refuse someone, so
      // they are swept only then: a full scan on every acquire cost O(requests in flight).
      if (holders.size >= limit && !holders.has(id)) {
        let latest = 0;
        for (const [holder, expiresAt] of holders) {
          if (expiresAt <= at) holders.delete(holder);
          else if (expiresAt > latest) latest = expiresAt;
        }
        if (holders.size >= limit) {
          entry.expiresAt = latest;
          return { acquired: false, held: holders.size, limit };
        }
      }
      const expiresAt = at + leaseMs;
      holders.set(id, expiresAt);
      // The entry lives as long as its longest lease (a fresh one starts with none).
      entry.expiresAt = fresh || entry.expiresAt < expiresAt ? expiresAt : entry.expiresAt;
      return { acquired: true, held: holders.size, limit };
    },

    release(key: string, id: string): void {
      const entry = entries.get(key);
      if (entry?.holders == null) return;
      entry.holders.delete(id);
      // Kept, expired, for the key's next acquire; swept with other expired keys when the store fills.
      if (entry.holders.size === 0) entry.expiresAt = 0;
    },

    close(): void {
      entries.clear();
    },
  };
}
