import { describe, expect, it } from "vitest";
import { parseBenchOptions } from "../../bench/e2e/options.ts";
import { median } from "../../bench/e2e/rounds.ts";

describe("end-to-end bench options", () => {
  it("defaults to 3 s, 3 rounds, 1/4/16/64 connections on every runtime", () => {
    expect(parseBenchOptions([])).toEqual({ seconds: 3, rounds: 3, connections: [1, 4, 16, 64], runtimes: ["node", "deno", "bun"], latencyMs: 0, base: undefined, dashboard: false });
  });

  it("reads a quick run and a compare base", () => {
    const options = parseBenchOptions(["--seconds", "1", "--rounds", "2", "--connections", "16, 64", "--runtimes", "node", "--latency-ms", "5", "--base", "main"]);
    expect(options).toEqual({ seconds: 1, rounds: 2, connections: [16, 64], runtimes: ["node"], latencyMs: 5, base: "main", dashboard: false });
  });

  it("reads --dashboard for bench:compare", () => {
    expect(parseBenchOptions(["--base", "HEAD", "--dashboard"])).toMatchObject({ base: "HEAD", dashboard: true });
  });

  it("refuses unknown runtimes, zero or fractional counts and unknown flags", () => {
    expect(() => parseBenchOptions(["--runtimes", "node,java"])).toThrow(/unknown runtime "java"/);
    expect(() => parseBenchOptions(["--connections", "0"])).toThrow(/at least 1/);
    expect(() => parseBenchOptions(["--seconds", "1.5"])).toThrow(/whole number/);
    expect(() => parseBenchOptions(["--rounds", "0"])).toThrow(/at least 1/);
    expect(() => parseBenchOptions(["--minutes", "3"])).toThrow();
  });
});

describe("median", () => {
  it("takes the middle value, the mean of the middle two, and skips missing samples", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, null])).toBe(5);
    expect(median([null])).toBeNull();
  });
});
