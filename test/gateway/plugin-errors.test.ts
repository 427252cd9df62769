import { describe, expect, it } from "vitest";
import { buildLogRecord, definePlugin, GatewayError, type RequestContext } from "../../core/index.ts";
import { createTestGateway } from "../../testing/index.ts";

const chat = { model: "mock/mock", messages: [{ role: "user", content: "hi" }] };

/** Collects each finished request's context, for its log record. */
function recorder(): { seen: RequestContext[]; plugin: ReturnType<typeof definePlugin> } {
  const seen: RequestContext[] = [];
  return { seen, plugin: definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }) };
}

describe("errors a plugin raises", () => {
  it("name the plugin and the hook in the log record, keeping the plugin's own code", async () => {
    const { seen, plugin } = recorder();
    const refuses = definePlugin({
      name: "office-hours",
      onRequest() {
        throw new GatewayError({ status: 403, message: "Closed on Sundays.", code: "office_closed", fault: "policy" });
      },
    });
    const gateway = await createTestGateway({ plugins: [refuses, plugin] });
    const res = await gateway.post("/v1/chat/completions", chat);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("office_closed");
    await gateway.close({ timeoutMs: 1000 });
    expect(buildLogRecord(seen[0]).error).toMatchObject({ code: "office_closed", fault: "policy", plugin: "office-hours", hook: "onRequest" });
  });

  it("name them on an unexpected throw too, which becomes internal_error", async () => {
    const { seen, plugin } = recorder();
    const broken = definePlugin({
      name: "header-signer",
      onAttempt() {
        throw new TypeError("key is undefined");
      },
    });
    const gateway = await createTestGateway({ plugins: [broken, plugin] });
    const res = await gateway.post("/v1/chat/completions", chat);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("internal_error");
    expect(body.error.message).toContain('Plugin "header-signer" failed in onAttempt: key is undefined');
    await gateway.close({ timeoutMs: 1000 });
    expect(buildLogRecord(seen[0]).error).toMatchObject({ code: "internal_error", fault: "gateway", plugin: "header-signer", hook: "onAttempt" });
  });
});
