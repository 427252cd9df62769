import type { CacheStore } from "../plugins/cache/store.ts";

/** One named check of the cache store contract; it throws when the store breaks the contract. */
export interface ConformanceCheck {
  readonly name: string;
  run(): Promise<void>;
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) {
    const show = (v: unknown): string => (typeof v === "string" && v.length > 80 ? `${JSON.stringify(v.slice(0, 80))}… (${v.length} chars)` : JSON.stringify(v));
    throw new Error(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The checks every `CacheStore` must pass, framework-free so any test runner can run them:
 *
 * ```ts
 * for (const check of cacheStoreConformance(() => myStore())) it(check.name, check.run);
 * ```
 * `make` gets a fresh store for each check; keys are unique per run, so a shared backend is fine.
 */
export function cacheStoreConformance(make: () => CacheStore | Promise<CacheStore>): ConformanceCheck[] {
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  let n = 0;
  const key = (): string => `conformance:${run}:${n++}`;
  const check = (name: string, body: (store: CacheStore) => Promise<void>): ConformanceCheck => ({
    name,
    async run() {
      const store = await make();
      try {
        await body(store);
      } finally {
        await store.close?.();
      }
    },
  });
  return [
    check("get of a key never set is null", async (store) => {
      equal(await store.get(key()), null, "get");
    }),
    check("set then get returns the same text, byte for byte", async (store) => {
      const k = key();
      const value = `{"a":1}\n data: ünïcødé ✓ 🚀\r\n\n${"x".repeat(100_000)}`;
      await store.set(k, value, 60_000);
      equal(await store.get(k), value, "get after set");
    }),
    check("set replaces the value", async (store) => {
      const k = key();
      await store.set(k, "first", 60_000);
      await store.set(k, "second", 60_000);
      equal(await store.get(k), "second", "get after second set");
    }),
    check("keys are independent", async (store) => {
      const a = key();
      const b = key();
      await store.set(a, "A", 60_000);
      equal(await store.get(b), null, "get of the other key");
      await store.set(b, "B", 60_000);
      equal(await store.get(a), "A", "get of the first key");
    }),
    check("delete removes a value, and deleting a missing key is fine", async (store) => {
      const k = key();
      await store.set(k, "v", 60_000);
      await store.delete(k);
      equal(await store.get(k), null, "get after delete");
      await store.delete(key());
    }),
    check("a value expires after its time to live", async (store) => {
      const k = key();
      await store.set(k, "short", 40);
      await store.set(`${k}:long`, "long", 60_000);
      await sleep(120);
      equal(await store.get(k), null, "get after the ttl");
      equal(await store.get(`${k}:long`), "long", "get of a value still alive");
    }),
    check("concurrent sets and gets each see their own key", async (store) => {
      const keys = Array.from({ length: 50 }, () => key());
      await Promise.all(keys.map((k, i) => store.set(k, `v${i}`, 60_000)));
      const values = await Promise.all(keys.map((k) => store.get(k)));
      values.forEach((v, i) => equal(v, `v${i}`, `get of key ${i}`));
    }),
  ];
}
