import { describe, expect, it } from "vitest";
import { memoryStore } from "../../stores/index.ts";

/** A store on a clock the test moves, for exact GCRA arithmetic. */
function clocked() {
  let now = 1_000_000;
  const store = memoryStore({ now: () => now });
  return { store, advance: (ms: number) => void (now += ms) };
}

describe("memoryStore", () => {
  it("has no double burst at a window edge (the fixed-window flaw)", () => {
    const { store, advance } = clocked();
    const rule = { limit: 10, windowMs: 60_000 };
    // A fixed one-minute window would allow 10 just before its edge and 10 more just after it.
    advance(59_900);
    for (let i = 0; i < 10; i++) expect(store.consume("edge", rule, 1).allowed).toBe(true);
    advance(200);
    expect(store.consume("edge", rule, 1).allowed).toBe(false);
    // Units come back one per emission interval (6 s), not all at once.
    advance(5_800);
    expect(store.consume("edge", rule, 1).allowed).toBe(true);
    expect(store.consume("edge", rule, 1).allowed).toBe(false);
  });

  it("says exactly when to retry and when the bucket is full again", () => {
    const { store, advance } = clocked();
    const rule = { limit: 4, windowMs: 1000 };
    for (let i = 0; i < 4; i++) store.consume("k", rule, 1);
    const rejected = store.consume("k", rule, 1);
    expect(rejected).toEqual({ allowed: false, limit: 4, remaining: 0, resetMs: 1000, retryAfterMs: 250 });
    advance(250);
    expect(store.consume("k", rule, 1)).toEqual({ allowed: true, limit: 4, remaining: 0, resetMs: 1000, retryAfterMs: 0 });
    advance(1000);
    expect(store.consume("k", rule, 2)).toEqual({ allowed: true, limit: 4, remaining: 2, resetMs: 500, retryAfterMs: 0 });
  });

  it("stays within maxKeys, dropping expired keys first and then the oldest", () => {
    const { store, advance } = clocked();
    const bounded = memoryStore({ maxKeys: 10 });
    for (let i = 0; i < 100; i++) bounded.increment(`k${i}`, 1);
    expect(bounded.size).toBeLessThanOrEqual(10);
    expect(bounded.get("k99")).toBe(1);

    for (let i = 0; i < 5; i++) store.increment(`short${i}`, 1, 100);
    advance(200);
    expect(store.get("short0")).toBe(0);
    expect(() => memoryStore({ maxKeys: 0 })).toThrow(/maxKeys/);
  });
});
