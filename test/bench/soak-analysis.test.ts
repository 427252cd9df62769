import { describe, expect, it } from "vitest";
import { analyze, defaultWarmupMs, type LoadWindow, type MemorySample, trend } from "../../bench/soak/analyze.ts";
import { fitLine, quantile } from "../../bench/lib/stats.ts";
import { kindOf, MIX } from "../../bench/soak/mix.ts";

const MiB = 2 ** 20;
const T0 = 1_700_000_000_000;
const limits = { memory: 0.05, p99: 0.1, p99Gates: true, failures: 0.01, failuresGate: true };

function sample(minute: number, rssMiB: number): MemorySample {
  return { t: T0 + minute * 60_000, rss: rssMiB * MiB, heapUsed: 30 * MiB, heapTotal: 40 * MiB, external: 4 * MiB, arrayBuffers: MiB, loopP50Ms: 1, loopP99Ms: 5, loopMaxMs: 9 };
}
function window(minute: number, p99Ms: number, failures = 0): LoadWindow {
  return { t: T0 + minute * 60_000, finished: 500, failures, aborted: 50, inFlight: 3, skipped: 0, byKind: {}, p50Ms: p99Ms / 4, p99Ms, ttftP99Ms: p99Ms, failureSamples: [] };
}
const minutes = (n: number, step = 0.5): number[] => Array.from({ length: Math.floor(n / step) + 1 }, (_, i) => i * step);

describe("least squares and percentiles", () => {
  it("recovers an exact line and refuses a degenerate one", () => {
    const line = fitLine([[0, 1], [1, 3], [2, 5], [3, 7]])!;
    expect(line.slope).toBeCloseTo(2, 12);
    expect(line.intercept).toBeCloseTo(1, 12);
    expect(line.at(10)).toBeCloseTo(21, 12);
    expect(fitLine([[1, 1]])).toBeNull();
    expect(fitLine([[1, 1], [1, 2]])).toBeNull();
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([], 0.99)).toBeNaN();
  });
});

describe("soak verdict", () => {
  it("uses a fifth of the run as warm-up, at least a minute for runs of five minutes or more", () => {
    expect(defaultWarmupMs(30)).toBe(6 * 60_000);
    expect(defaultWarmupMs(5)).toBe(60_000);
    expect(defaultWarmupMs(2)).toBe(24_000);
  });

  it("judges the fitted change after the warm-up, ignoring growth during it", () => {
    // Fast growth in the first 6 minutes (heap settling), flat after.
    const samples = minutes(30).map((m) => sample(m, m < 6 ? 60 + m * 10 : 120));
    const result = analyze(samples, minutes(30).map((m) => window(m, 40)), T0, T0 + 30 * 60_000, 6 * 60_000, limits);
    expect(result.rss!.change).toBeCloseTo(0, 6);
    expect(result.pass).toBe(true);
    expect(result.checks.map((c) => c.pass)).toEqual([true, true, true]);
  });

  it("fails on steady RSS growth over the limit, whatever the noise", () => {
    // 0.5 MiB a minute on 100 MiB: 12% over 24 minutes, with ±3 MiB alternating noise.
    const samples = minutes(30).map((m, i) => sample(m, 100 + m * 0.5 + (i % 2 === 0 ? 3 : -3)));
    const result = analyze(samples, minutes(30).map((m) => window(m, 40)), T0, T0 + 30 * 60_000, 6 * 60_000, limits);
    expect(result.rss!.slopePerMinute / MiB).toBeCloseTo(0.5, 1);
    expect(result.rss!.change).toBeGreaterThan(0.05);
    expect(result.checks[0].pass).toBe(false);
    expect(result.pass).toBe(false);
  });

  it("fails on p99 drift only when the p99 check gates", () => {
    const samples = minutes(30).map((m) => sample(m, 100));
    const drifting = minutes(30).map((m) => window(m, 40 + m));
    const gated = analyze(samples, drifting, T0, T0 + 30 * 60_000, 6 * 60_000, limits);
    expect(gated.p99!.change).toBeCloseTo(24 / 46, 6);
    expect(gated.pass).toBe(false);
    const advisory = analyze(samples, drifting, T0, T0 + 30 * 60_000, 6 * 60_000, { ...limits, p99Gates: false });
    expect(advisory.checks[1].pass).toBe(false);
    expect(advisory.pass).toBe(true);
  });

  it("fails when too many requests fail or when there is nothing to judge", () => {
    const samples = minutes(10).map((m) => sample(m, 100));
    const failing = analyze(samples, minutes(10).map((m) => window(m, 40, 10)), T0, T0 + 10 * 60_000, 2 * 60_000, limits);
    expect(failing.failures).toBe(210);
    expect(failing.checks[2].pass).toBe(false);
    expect(failing.pass).toBe(false);
    // In CI only memory gates: the failures are still reported.
    const advisory = analyze(samples, minutes(10).map((m) => window(m, 40, 10)), T0, T0 + 10 * 60_000, 2 * 60_000, { ...limits, failuresGate: false });
    expect(advisory.checks[2]).toMatchObject({ pass: false, gating: false });
    expect(advisory.pass).toBe(true);
    const empty = analyze([], [], T0, T0 + 60_000, 0, limits);
    expect(empty.rss).toBeNull();
    expect(empty.pass).toBe(false);
  });

  it("fits over minutes from the first post-warm-up point", () => {
    const t = trend([[T0, 10], [T0 + 60_000, 11], [T0 + 120_000, 12]], T0 + 60_000, T0 + 120_000)!;
    expect(t.start).toBeCloseTo(11, 9);
    expect(t.end).toBeCloseTo(12, 9);
    expect(t.points).toBe(2);
  });
});

describe("soak mix", () => {
  it("shares sum to 100 and every 100 requests follow them exactly", () => {
    expect(MIX.reduce((n, [, share]) => n + share, 0)).toBe(100);
    const counts = new Map<string, number>();
    for (let n = 0; n < 100; n++) counts.set(kindOf(n), (counts.get(kindOf(n)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(MIX));
  });
  it("reads a rise as growth when the fitted line starts below zero", () => {
    // Quiet, then a steep rise: the least-squares line starts below zero.
    const points: [number, number][] = Array.from({ length: 10 }, (_, i) => [i * 60_000, 10 * i * i]);
    const line = trend(points, 0, 9 * 60_000)!;
    expect(line.start).toBeLessThan(0);
    expect(line.change).toBeCloseTo((line.end - line.start) / 285, 6);
    expect(trend([[0, 0], [60_000, 0], [120_000, 0]], 0, 120_000)!.change).toBe(0);
  });
});
