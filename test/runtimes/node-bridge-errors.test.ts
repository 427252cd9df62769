import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../../core/index.ts";
import { definePlugin } from "../../core/plugin.ts";
import { mock } from "../../providers/index.ts";
import { type NodeServer, serve } from "../../runtimes/node.ts";

/**
 * What node:http refuses to write still gets an answer: a header value a plugin set with a line
 * break makes `writeHead` throw, and the bridge turns that into the gateway's 500, in the same
 * process, with the next request served as usual.
 */
describe("Node bridge: an answer node:http cannot write", () => {
  let gateway: NodeServer;

  beforeAll(async () => {
    const breaker = definePlugin({
      name: "bad-header",
      onResponse: (ctx) => {
        if (ctx.model === "mock/broken") ctx.setResponseHeader("x-bad", "line\r\nInjected: yes");
      },
    });
    const app = await createGateway({ providers: { mock: mock() }, plugins: [breaker] });
    gateway = await serve(app, { port: 0, handleSignals: false });
  });

  afterAll(async () => {
    await gateway?.close(1_000);
  });

  const ask = (model: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }) });

  it("answers 500 in the client's dialect, and no header is injected", async () => {
    const response = await ask("mock/broken");
    expect(response.status).toBe(500);
    expect(response.headers.get("injected")).toBeNull();
    expect((await response.json()).error.code).toBe("internal_error");
    const next = await ask("mock/echo");
    expect(next.status).toBe(200);
    await next.text();
  });
});
