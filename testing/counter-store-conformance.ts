import type { CounterStore } from "../core/counter-store.ts";

/** One check of the counter store contract; `run` rejects with a message that says what broke. */
export interface ConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/**
 * The counter store contract as a list of checks, independent of any test framework:
 *
 * ```ts
 * for (const check of counterStoreConformance(() => myStore())) it(check.name, check.run);
 * ```
 *
 * Each check makes its own store with `makeStore`, uses keys no other check uses, and closes the
 * store at the end. Checks that depend on time measure it and allow for a slow machine; the whole
 * list takes a couple of seconds.
 */
export function counterStoreConformance(makeStore: () => CounterStore | Promise<CounterStore>): ConformanceCase[] {
  const run = (name: string, body: (store: CounterStore, key: (suffix: string) => string) => Promise<void>): ConformanceCase => ({
    name,
    async run() {
      const store = await makeStore();
      const id = Math.random().toString(36).slice(2, 10);
      try {
        await body(store, (suffix) => `conformance:${id}:${suffix}`);
      } finally {
        await store.close?.();
      }
    },
  });

  return [
    run("increment returns the running total and get reads it; absent keys read 0", async (store, key) => {
      equal(await store.get(key("absent")), 0, "get of an absent key");
      equal(await store.increment(key("c"), 3), 3, "first increment");
      equal(await store.increment(key("c"), 4), 7, "second increment");
      equal(await store.get(key("c")), 7, "get after increments");
      equal(await store.increment(key("c"), -2), 5, "a negative amount subtracts");
    }),

    run("increment keeps fractional amounts", async (store, key) => {
      await store.increment(key("f"), 0.1);
      near(await store.increment(key("f"), 0.2), 0.3, 1e-12, "0.1 + 0.2");
      for (let i = 0; i < 10; i++) await store.increment(key("tiny"), 0.0000001);
      near(await store.get(key("tiny")), 0.000001, 1e-15, "ten increments of 1e-7");
    }),

    run("increment sets the expiry of a new key only, and the key lapses", async (store, key) => {
      await store.increment(key("t"), 1, 300);
      equal(await store.get(key("t")), 1, "before the ttl");
      await store.increment(key("t"), 1, 60_000);
      await sleep(700);
      equal(await store.get(key("t")), 0, "after the first ttl (a later increment must not extend it)");
    }),

    run("increment is atomic under concurrency", async (store, key) => {
      await Promise.all(Array.from({ length: 200 }, () => store.increment(key("n"), 1)));
      equal(await store.get(key("n")), 200, "200 concurrent increments of 1");
    }),

    run("consume allows a burst of limit, then rejects with retry and reset times", async (store, key) => {
      const rule = { limit: 5, windowMs: 60_000 };
      for (let i = 0; i < 5; i++) {
        const d = await store.consume(key("b"), rule, 1);
        check(d.allowed, `request ${i + 1} of 5 is allowed`);
        equal(d.limit, 5, "limit");
        within(d.remaining, 3 - i, 4 - i, `remaining after request ${i + 1}`);
        within(d.resetMs, 1, 12_000 * (i + 1), "resetMs while allowed");
        equal(d.retryAfterMs, 0, "retryAfterMs while allowed");
      }
      const rejected = await store.consume(key("b"), rule, 1);
      check(!rejected.allowed, "request 6 of 5 is rejected");
      equal(rejected.remaining, 0, "remaining when rejected");
      within(rejected.retryAfterMs, 1, 12_000, "retryAfterMs is at most one emission interval");
      within(rejected.resetMs, 40_000, 60_000, "resetMs is about one window");
    }),

    run("consume takes a cost all or nothing", async (store, key) => {
      const rule = { limit: 10, windowMs: 600_000 };
      equal((await store.consume(key("c"), rule, 4)).remaining, 6, "after 4");
      equal((await store.consume(key("c"), rule, 4)).remaining, 2, "after 8");
      const over = await store.consume(key("c"), rule, 4);
      check(!over.allowed, "4 more do not fit in 2");
      equal(over.remaining, 2, "a rejection takes nothing");
      const rest = await store.consume(key("c"), rule, 2);
      check(rest.allowed && rest.remaining === 0, "the last 2 fit");
    }),

    run("consume refills continuously, with no burst at a window edge", async (store, key) => {
      const rule = { limit: 10, windowMs: 2000 }; // one unit every 200 ms
      for (let i = 0; i < 10; i++) await store.consume(key("r"), rule, 1);
      const exhausted = Date.now();
      await sleep(500);
      let allowed = 0;
      for (let i = 0; i < 10; i++) if ((await store.consume(key("r"), rule, 1)).allowed) allowed++;
      const elapsed = Date.now() - exhausted;
      check(allowed >= 2, `at least 2 units refill in 500 ms (got ${allowed})`);
      check(allowed <= Math.floor(elapsed / 200) + 1, `at most one unit per 200 ms refills (got ${allowed} in ${elapsed} ms)`);
    }),

    run("adjust charges extra units and gives unused ones back", async (store, key) => {
      const rule = { limit: 100, windowMs: 60_000 };
      await store.consume(key("a"), rule, 10);
      await store.adjust(key("a"), rule, 30);
      within((await store.consume(key("a"), rule, 1)).remaining, 57, 60, "after 10 + 30 + 1");
      await store.adjust(key("a"), rule, -20);
      within((await store.consume(key("a"), rule, 1)).remaining, 77, 80, "after giving 20 back and taking 1");
      await store.adjust(key("a"), rule, -1000);
      within((await store.consume(key("a"), rule, 1)).remaining, 98, 99, "a refund never goes past a full bucket");
      await store.adjust(key("fresh"), rule, 100);
      check(!(await store.consume(key("fresh"), rule, 1)).allowed, "adjust on an absent key charges it");
    }),

    run("consume is atomic under concurrency", async (store, key) => {
      const rule = { limit: 20, windowMs: 600_000 };
      const decisions = await Promise.all(Array.from({ length: 60 }, () => store.consume(key("p"), rule, 1)));
      equal(decisions.filter((d) => d.allowed).length, 20, "allowed among 60 concurrent requests for 20");
    }),

    run("acquire holds at most limit leases; release frees one; the same id is held once", async (store, key) => {
      const k = key("l");
      check((await store.acquire(k, "a", 2, 60_000)).acquired, "a");
      const again = await store.acquire(k, "a", 2, 60_000);
      check(again.acquired && again.held === 1, "acquiring the same id again holds it once");
      const b = await store.acquire(k, "b", 2, 60_000);
      check(b.acquired && b.held === 2, "b");
      const c = await store.acquire(k, "c", 2, 60_000);
      check(!c.acquired && c.held === 2 && c.limit === 2, "c is rejected at the limit");
      await store.release(k, "a");
      await store.release(k, "nobody");
      check((await store.acquire(k, "c", 2, 60_000)).acquired, "c after a was released");
    }),

    run("a lease nobody releases lapses after leaseMs", async (store, key) => {
      const k = key("lapse");
      check((await store.acquire(k, "lost", 1, 200)).acquired, "first lease");
      check(!(await store.acquire(k, "next", 1, 200)).acquired, "second lease while the first is held");
      await sleep(500);
      check((await store.acquire(k, "next", 1, 200)).acquired, "second lease after the first lapsed");
    }),

    run("acquire is atomic under concurrency", async (store, key) => {
      const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => store.acquire(key("pa"), `id${i}`, 5, 60_000)));
      equal(decisions.filter((d) => d.acquired).length, 5, "leases granted among 40 concurrent requests for 5");
    }),

    run("keys are independent", async (store, key) => {
      const rule = { limit: 1, windowMs: 600_000 };
      check((await store.consume(key("x"), rule, 1)).allowed, "x");
      check((await store.consume(key("y"), rule, 1)).allowed, "y is not limited by x");
      await store.increment(key("x2"), 5);
      equal(await store.get(key("y2")), 0, "counters do not leak across keys");
    }),
  ];
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`counter store conformance: ${what}`);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  check(actual === expected, `${what}: expected ${String(expected)}, got ${String(actual)}`);
}

function near(actual: number, expected: number, tolerance: number, what: string): void {
  check(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

function within(actual: number, low: number, high: number, what: string): void {
  check(actual >= low && actual <= high, `${what}: expected ${low}..${high}, got ${actual}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
