/**
 * Where cached responses live. Values are opaque strings; a store only keeps them for a while.
 * The built-in stores are `memoryCacheStore` (the default) and `redisCacheStore` (shared by many
 * gateway instances); `cacheStoreConformance` in `switchyard/testing` checks any other.
 */
export interface CacheStore {
  /** The value stored under `key`, or null when there is none or it has expired. */
  get(key: string): Promise<string | null>;
  /** Store `value` under `key` for `ttlMs` milliseconds, replacing what was there. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Whether the backend answers right now, from state the store keeps (no round trip), for
   * `cache({ required: true })`. A store without it is always available.
   */
  available?(): boolean;
  /** Release connections and timers. */
  close?(): Promise<void>;
}

export interface MemoryCacheStoreOptions {
  /** Most memory the values and keys may take (UTF-16, as JavaScript holds strings). Default 64 MiB. */
  maxBytes?: number;
  /** The clock in ms (default `Date.now`); tests pass their own. */
  clock?: () => number;
}

interface MemoryEntry {
  readonly value: string;
  readonly expiresAt: number;
  readonly bytes: number;
}

/** What a store holds, for the `/metrics`-style questions: how full is it? */
export interface MemoryCacheStore extends CacheStore {
  readonly size: number;
  readonly bytes: number;
}

/**
 * An in-process LRU bounded by bytes: the least recently used entries go first when a new one
 * needs room, and expired ones go when they are next looked at or reached by eviction.
 */
export function memoryCacheStore(options: MemoryCacheStoreOptions = {}): MemoryCacheStore {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new TypeError("memoryCacheStore: maxBytes must be a number > 0");
  const clock = options.clock ?? Date.now;
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const entries = new Map<string, MemoryEntry>();
  let bytes = 0;

  const remove = (key: string, entry: MemoryEntry): void => {
    entries.delete(key);
    bytes -= entry.bytes;
  };

  return {
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return Promise.resolve(null);
      if (entry.expiresAt <= clock()) {
        remove(key, entry);
        return Promise.resolve(null);
      }
      entries.delete(key);
      entries.set(key, entry);
      return Promise.resolve(entry.value);
    },
    set(key, value, ttlMs) {
      const old = entries.get(key);
      if (old !== undefined) remove(key, old);
      const size = (key.length + value.length) * 2;
      if (size > maxBytes || !(ttlMs > 0)) return Promise.resolve();
      for (const [oldest, entry] of entries) {
        if (bytes + size <= maxBytes) break;
        remove(oldest, entry);
      }
      entries.set(key, { value, expiresAt: clock() + ttlMs, bytes: size });
      bytes += size;
      return Promise.resolve();
    },
    delete(key) {
      const entry = entries.get(key);
      if (entry !== undefined) remove(key, entry);
      return Promise.resolve();
    },
    close() {
      entries.clear();
      bytes = 0;
      return Promise.resolve();
    },
  };
}
