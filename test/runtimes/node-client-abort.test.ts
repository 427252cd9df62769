import { createServer, request as httpRequest, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGateway } from "../../core/index.ts";
import { definePlugin } from "../../core/plugin.ts";
import { openai } from "../../providers/index.ts";
import { serve, nodeUpstream, type NodeServer } from "../../runtimes/node.ts";

/**
 * The Node adapter hands the core a light client signal (no AbortController per request). A
 * client that leaves must still abort the upstream call of a whole-JSON request, and a plugin
 * that reads `ctx.signal` must still get a real AbortSignal that fires.
 */
describe("Node: a client that leaves during a JSON request", () => {
  let upstream: Server;
  let gateway: NodeServer;
  let upstreamClosed: Promise<void>;
  let markClosed: () => void;
  let arrived: Promise<void>;
  let markArrived: () => void;
  const pluginSignals: AbortSignal[] = [];

  beforeAll(async () => {
    upstreamClosed = new Promise((resolve) => (markClosed = resolve));
    arrived = new Promise((resolve) => (markArrived = resolve));
    // An upstream that never answers: only an abort from the gateway ends its request.
    upstream = createServer((req) => {
      markArrived();
      req.socket.once("close", () => markClosed());
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const port = (upstream.address() as { port: number }).port;
    const watcher = definePlugin({ name: "watch-signal", onRequest: (ctx) => void pluginSignals.push(ctx.signal) });
    const app = await createGateway({ providers: { up: openai({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "sk-upstream" }) }, plugins: [watcher], upstream: nodeUpstream() });
    gateway = await serve(app, { port: 0 });
  });

  afterAll(async () => {
    await gateway?.close(1_000);
    upstream?.closeAllConnections?.();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it("aborts the upstream call, and the plugin's ctx.signal fires", async () => {
    const body = JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "hello" }] });
    const req = httpRequest({ host: "127.0.0.1", port: gateway.port, path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } });
    req.on("error", () => {});
    req.end(body);
    await arrived;
    req.destroy();
    await upstreamClosed;
    expect(pluginSignals).toHaveLength(1);
    expect(pluginSignals[0]).toBeInstanceOf(AbortSignal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pluginSignals[0].aborted).toBe(true);
  }, 15_000);
});
