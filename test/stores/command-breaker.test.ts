import { describe, expect, it } from "vitest";
import { CommandBreaker } from "../../stores/command-breaker.ts";

function breaker(failures = 3) {
  const events: string[] = [];
  let answer: (() => void) | null = null;
  let probes = 0;
  const b = new CommandBreaker(
    {
      probe: () => {
        probes++;
        // The first probe gets no answer (the server still hangs); the second is answered on demand.
        return probes === 1 ? Promise.reject(new Error("timed out")) : new Promise<void>((resolve) => (answer = resolve));
      },
      onOpen: () => events.push("open"),
      onClose: () => events.push("close"),
    },
    { failures, probeIntervalMs: 1 },
  );
  return { b, events, probes: () => probes, answer: () => answer?.() };
}

describe("CommandBreaker", () => {
  it("opens after the configured failures in a row, refuses commands while open, and closes on a probe's answer", async () => {
    const { b, events, probes, answer } = breaker(3);
    b.failed();
    b.succeeded(); // a success in between starts the count again
    b.failed();
    b.failed();
    expect(b.open).toBe(false);
    expect(b.refuses()).toBe(false);
    b.failed();
    expect(b.open).toBe(true);
    expect(events).toEqual(["open"]);
    expect(b.refuses()).toBe(true);
    expect(b.refuses()).toBe(true);
    expect(b.shortCircuited).toBe(2);
    await expect.poll(probes).toBe(2);
    expect(b.open).toBe(true);
    answer();
    await expect.poll(() => b.open).toBe(false);
    expect(events).toEqual(["open", "close"]);
    expect(b.refuses()).toBe(false);
    expect(b.openings).toBe(1);
    b.stop();
  });

  it("never has more than one probe out", async () => {
    const { b, probes } = breaker(1);
    b.failed();
    await expect.poll(probes).toBe(2);
    // The second probe hangs: no third one starts however many commands are refused meanwhile.
    for (let i = 0; i < 50; i++) b.refuses();
    await new Promise((r) => setTimeout(r, 20));
    expect(probes()).toBe(2);
    b.stop();
  });

  it("refuses bad options", () => {
    const hooks = { probe: () => Promise.resolve(), onOpen() {}, onClose() {} };
    expect(() => new CommandBreaker(hooks, { failures: 0 })).toThrow(/failures/);
    expect(() => new CommandBreaker(hooks, { probeIntervalMs: -1 })).toThrow(/probeIntervalMs/);
  });
});
