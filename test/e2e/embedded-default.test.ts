import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { type RunningGateway, runCli, startCli } from "../helpers/cli.ts";

/**
 * The embedded default with OPENAI_API_KEY set holds a paid key and has no auth. Before: it
 * answered any Host (so a DNS-rebinding page could reach it through a visitor's browser) and
 * any Origin, and would listen on 0.0.0.0 if asked.
 */

const PROVIDER_KEY = "sk-provider-embedded-0123456789";

interface Reply {
  status: number;
  body: { error?: { code?: string } } & Record<string, unknown>;
}

/** node:http, because fetch does not let a caller choose the Host header. */
function post(url: string, headers: Record<string, string>, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("the embedded default, with an OpenAI key and no auth", () => {
  const upstream = mockUpstream({ apiKey: PROVIDER_KEY });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  const cwd = mkdtempSync(join(tmpdir(), "switchyard-embedded-"));
  const env = () => ({ OPENAI_API_KEY: PROVIDER_KEY, OPENAI_BASE_URL: `${upstreamServer.url}/v1` });
  const chat = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "spend my key" }] });

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli([], { cwd, env: env() });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(500);
  });

  it("says at startup that it has no auth and what it accepts", () => {
    expect(gateway.output()).toMatch(/no auth: any program on this machine can use this gateway/);
    expect(gateway.output()).toContain("hostGuard");
  });

  it("serves a local client", async () => {
    upstream.reset();
    const reply = await post(`${gateway.url}/v1/chat/completions`, { "content-type": "application/json" }, chat);
    expect(reply.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it("refuses a Host that is not a loopback name (DNS rebinding) without calling the provider", async () => {
    upstream.reset();
    const reply = await post(`${gateway.url}/v1/chat/completions`, { host: "rebind.evil.example:8787", "content-type": "application/json" }, chat);
    expect(reply.status).toBe(403);
    expect(reply.body.error?.code).toBe("host_not_allowed");
    expect(upstream.calls).toHaveLength(0);
  });

  it("refuses a request a web page made a browser send", async () => {
    upstream.reset();
    const fromPage = await post(`${gateway.url}/v1/chat/completions`, { origin: "https://evil.example", "content-type": "application/json" }, chat);
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.error?.code).toBe("origin_not_allowed");
    // A "simple" cross-site request (no preflight) cannot carry JSON's content type either.
    const simple = await post(`${gateway.url}/v1/chat/completions`, { "content-type": "text/plain" }, chat);
    expect(simple.status).toBe(415);
    expect(upstream.calls).toHaveLength(0);
  });

  it("will not listen beyond loopback", async () => {
    const result = await runCli(["start", "--port", "0", "--host", "0.0.0.0"], { cwd, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the embedded default has no auth, so it listens on loopback addresses only");
    expect(result.stdout).not.toContain("listening on");
  });
});
