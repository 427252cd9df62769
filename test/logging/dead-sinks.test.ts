import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogSink } from "../../core/log-sink.ts";
import { log, type LogPlugin, route } from "../../plugins/index.ts";
import { httpSink } from "../../sinks/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { type Collector, startCollector } from "../helpers/collector.ts";
import { chat } from "../helpers/upstream.ts";

const REQUESTS = 1500;
const QUEUE = { maxQueue: 100, maxBatch: 20, flushIntervalMs: 5, writeTimeoutMs: 60_000, retries: 1, backoff: { baseMs: 5 } };

let collector: Collector;
beforeAll(async () => {
  collector = await startCollector("hang");
});
afterAll(() => collector.close());

async function loadGateway(sink: LogSink): Promise<{ logger: LogPlugin; statuses: number[]; gateway: Awaited<ReturnType<typeof createTestGateway>> }> {
  const logger = log({ sinks: [sink], queue: QUEUE });
  const gateway = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), logger] });
  const statuses: number[] = [];
  // Waves of concurrent requests, so completions keep arriving while the sink is stuck.
  for (let wave = 0; wave < REQUESTS / 100; wave++) {
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => gateway.post("/v1/chat/completions", { model: "mock", ...chat(`w${wave}r${i}`) })));
    for (const response of responses) {
      statuses.push(response.status);
      await response.text();
    }
  }
  await gateway.drain(10_000);
  return { logger, statuses, gateway };
}

describe("a dead sink never holds up requests, and its queue stays bounded", () => {
  it("an httpSink whose collector never answers: every request is served, the queue is capped, drops are counted", async () => {
    const { logger, statuses, gateway } = await loadGateway(httpSink({ url: `${collector.url}/ingest` }));
    expect(statuses).toHaveLength(REQUESTS);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const stats = logger.logStats();
    expect(stats.capacity).toBe(QUEUE.maxQueue);
    expect(stats.queued).toBeLessThanOrEqual(QUEUE.maxQueue);
    expect(stats.written).toBe(0);
    // Nothing is lost silently: every record is queued, in the one batch being written, or counted as dropped.
    expect(stats.dropped).toBeGreaterThanOrEqual(REQUESTS - QUEUE.maxQueue - QUEUE.maxBatch);
    expect(stats.dropped + stats.queued).toBeLessThanOrEqual(REQUESTS);
    await expect.poll(() => collector.requests, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // Shutdown gives up at its deadline and counts what it could not write.
    await gateway.close({ timeoutMs: 200 });
    const after = logger.logStats();
    expect(after.queued).toBe(0);
    expect(after.dropped + after.written).toBe(REQUESTS);
  });

  it("a sink whose write throws: every request is served, failures are counted and reported once per outage", async () => {
    let calls = 0;
    const throwing: LogSink = {
      name: "throws",
      write() {
        calls++;
        throw new Error("sink exploded");
      },
    };
    const { logger, statuses, gateway } = await loadGateway(throwing);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await logger.flush();
    const stats = logger.logStats();
    expect(stats.written).toBe(0);
    expect(stats.failedWrites).toBe(calls);
    expect(stats.queued).toBe(0);
    expect(stats.dropped).toBe(REQUESTS);
    expect(gateway.reported.filter((e) => e.message.includes("sink exploded"))).toHaveLength(1);
    await gateway.close({ timeoutMs: 1000 });
  });
});
