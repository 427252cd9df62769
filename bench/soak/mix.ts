/** What the soak's load process sends, shared with the soak gateway's config. */

export const SOAK_KEYS = ["sk-soak-app-1", "sk-soak-app-2"];

export type RequestKind = "json" | "cached" | "stream" | "abort" | "flaky-json" | "flaky-stream" | "bad";

/** Shares of the mix, out of 100. */
export const MIX: readonly (readonly [RequestKind, number])[] = [
  ["json", 40], // unique prompts: cache misses
  ["cached", 10], // a small pool of prompts: cache hits after the first
  ["stream", 25], // read to the end
  ["abort", 10], // the client goes away after the first events
  ["flaky-json", 8], // first target fails one time in N, fallback to the second
  ["flaky-stream", 4],
  ["bad", 3], // invalid JSON: a 400 from the gateway
];

/** Deterministic pick for request number `n`: the mix repeats every 100 requests, interleaved. */
export function kindOf(n: number): RequestKind {
  // A stride coprime with 100 spreads each kind evenly instead of in runs.
  let slot = (n * 37) % 100;
  for (const [kind, share] of MIX) {
    if (slot < share) return kind;
    slot -= share;
  }
  return "json";
}
