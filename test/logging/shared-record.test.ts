import { describe, expect, it } from "vitest";
import { log, route } from "../../plugins/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { chat } from "../helpers/upstream.ts";
import { memorySink } from "./memory-sink.ts";

describe("one log record per request", () => {
  it("is shared by every plugin that logs no bodies; one that logs bodies builds its own", async () => {
    const plainA = memorySink("a");
    const plainB = memorySink("b");
    const withBodies = memorySink("bodies");
    const queue = { flushIntervalMs: 10 };
    const gateway = await createTestGateway({
      plugins: [
        route({ models: { mock: [{ provider: "mock", model: "mock" }] } }),
        log({ name: "log-a", sinks: [plainA], queue }),
        log({ name: "log-b", sinks: [plainB], queue }),
        log({ name: "log-bodies", sinks: [withBodies], queue, bodies: true }),
      ],
    });
    const answer = await gateway.post("/v1/chat/completions", { model: "mock", ...chat("hello") });
    expect(answer.status).toBe(200);
    await gateway.close({ timeoutMs: 5000 });
    expect(plainA.records).toHaveLength(1);
    expect(plainB.records[0]).toBe(plainA.records[0]);
    expect(plainA.records[0].request).toBeUndefined();
    expect(withBodies.records[0]).not.toBe(plainA.records[0]);
    expect(withBodies.records[0].id).toBe(plainA.records[0].id);
    expect(withBodies.records[0].request?.text).toContain("hello");
  });
});
