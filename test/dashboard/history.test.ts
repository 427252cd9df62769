import { describe, expect, it } from "vitest";
import { bucketFor, historyRange, MAX_POINTS, MAX_RANGE_MS, RANGES, storedPoints } from "../../plugins/dashboard/history.ts";

const MINUTE = 60_000;

describe("dashboard history: ranges and buckets", () => {
  it("picks the finest bucket that keeps a range within a few hundred points", () => {
    expect(bucketFor(RANGES["1h"])).toBe(MINUTE);
    expect(bucketFor(RANGES["6h"])).toBe(MINUTE);
    expect(bucketFor(RANGES["24h"])).toBe(5 * MINUTE);
    expect(bucketFor(RANGES["7d"])).toBe(30 * MINUTE);
    expect(bucketFor(MAX_RANGE_MS)).toBe(180 * MINUTE);
    for (const span of [...Object.values(RANGES), MAX_RANGE_MS, 13 * 3600_000]) expect(span / bucketFor(span)).toBeLessThanOrEqual(MAX_POINTS);
  });

  it("ends a named range with the bucket now falls in, on bucket boundaries", () => {
    const now = Date.UTC(2026, 0, 2, 10, 7, 30);
    const day = historyRange(new URLSearchParams("range=24h"), now);
    expect(day).toEqual({ name: "24h", from: Date.UTC(2026, 0, 1, 10, 10), to: Date.UTC(2026, 0, 2, 10, 10), bucketMs: 5 * MINUTE });
    expect(historyRange(new URLSearchParams(""), now)).toMatchObject({ name: "1h", bucketMs: MINUTE, to: Date.UTC(2026, 0, 2, 10, 8) });
  });

  it("fills the buckets the store had nothing for with zeros, and rates by the bucket's length", () => {
    const range = { name: null, from: 0, to: 3 * MINUTE, bucketMs: MINUTE };
    const faults = { client: 0, policy: 0, provider: 1, gateway: 0 };
    const points = storedPoints([{ start: MINUTE, requests: 4, faults, totalMs: { p50: 10, p95: 20, p99: 30 }, firstByteMs: null, inputTokens: 100, outputTokens: 20, costUsd: 0.5 }], range);
    expect(points.map((p) => [p.t, p.requests])).toEqual([[0, 0], [60, 4], [120, 0]]);
    expect(points[1]).toMatchObject({ rps: 4 / 60, p50: 10, p99: 30, ttft50: null, tokensPerMin: 120, costPerMin: 0.5, errors: { provider: 0.25, client: 0 } });
    expect(points[0]).toMatchObject({ p50: null, rps: 0, costPerMin: 0 });
  });
});
