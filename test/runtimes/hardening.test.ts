import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { RUNTIMES, type RunningGateway, type Runtime, startCli } from "../helpers/cli.ts";
import { httpCall, type HttpReply } from "../helpers/http-call.ts";
import { firstHeader, firstJsonBody, rawExchange, statuses } from "../helpers/raw-http.ts";

/**
 * The inputs of the hardening report, each sent over HTTP to the CLI on every runtime. Before the
 * fixes: a 5 000-deep body was a 500 (stack overflow) on Node and Bun, `/v1/models/%ff` a 500
 * without a request id everywhere, a secret-looking `x-request-id` became the request's id, a gzip
 * body was `invalid_json` with its bytes in the message, `text/plain` and invalid UTF-8 were taken,
 * router, health and plugin-route answers had no request id, and an upstream error body that echoed
 * the provider key reached the caller.
 */

const PROVIDER_KEY = "sk-provider-hardening-0123456789abcdef";
const VIRTUAL_KEY = "sk-virt-alice-hardening-0123456789";
const METRICS_TOKEN = "metrics-token-hardening-0123456789";

function writeConfig(upstreamUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-hardening-"));
  const path = join(dir, "switchyard.config.ts");
  writeFileSync(
    path,
    `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
import { auth, metrics } from "switchyard/plugins";
export default defineConfig({
  providers: { up: openai({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)}, apiKey: ${JSON.stringify(PROVIDER_KEY)} }) },
  plugins: [
    auth({ keys: [{ id: "alice", key: ${JSON.stringify(VIRTUAL_KEY)} }] }),
    metrics({ token: ${JSON.stringify(METRICS_TOKEN)} }),
    {
      name: "broken-route",
      setup(app) {
        app.addRoute("GET", "/broken", () => { throw new Error("failed at /srv/app/secret.ts:12"); });
      },
    },
  ],
});
`,
  );
  return path;
}

const AUTH = { authorization: `Bearer ${VIRTUAL_KEY}` };
const JSON_HEADERS = { ...AUTH, "content-type": "application/json" };
const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "up/gpt-4o", messages: [{ role: "user", content: "hi" }], ...extra });

function nested(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

function expectOpenAIError(reply: HttpReply, status: number, code: string): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers["x-request-id"]).toMatch(/^req_/);
  expect(reply.headers["content-type"]).toMatch(/^application\/json/);
  expect(JSON.parse(reply.text)).toMatchObject({ error: { code, type: expect.any(String), message: expect.any(String) } });
}

function expectAnthropicError(reply: HttpReply, status: number): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers["x-request-id"]).toMatch(/^req_/);
  expect(JSON.parse(reply.text)).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String) }, request_id: reply.headers["x-request-id"] });
}

describe.each(RUNTIMES)("hardening findings on %s", (runtime: Runtime) => {
  const upstream = mockUpstream({ apiKey: PROVIDER_KEY });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  const call = (c: Parameters<typeof httpCall>[1]) => httpCall(gateway.url, c);

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(500);
  });

  it("refuses a body nested 5 000 levels deep with a 400 on every surface", async () => {
    const deep = nested(5000);
    const chatReply = await call({ method: "POST", path: "/v1/chat/completions", headers: JSON_HEADERS, body: `{"model":"up/gpt-4o","messages":${deep}}` });
    expectOpenAIError(chatReply, 400, "json_too_deep");
    const messages = await call({ method: "POST", path: "/v1/messages", headers: JSON_HEADERS, body: `{"model":"up/gpt-4o","max_tokens":5,"messages":${deep}}` });
    expectAnthropicError(messages, 400);
    const responses = await call({ method: "POST", path: "/v1/responses", headers: JSON_HEADERS, body: `{"model":"up/gpt-4o","input":${deep}}` });
    expectOpenAIError(responses, 400, "json_too_deep");
  });

  it("answers a malformed percent-escape in a model path with a 400 and a request id", async () => {
    expectOpenAIError(await call({ path: "/v1/models/%ff", headers: AUTH }), 400, "invalid_path");
    expectOpenAIError(await call({ path: "/v1/models/%", headers: AUTH }), 400, "invalid_path");
  });

  it("does not take a secret-looking x-request-id as the request's id", async () => {
    const reply = await call({ method: "POST", path: "/v1/chat/completions", headers: { ...JSON_HEADERS, "x-request-id": VIRTUAL_KEY }, body: chat() });
    expect(reply.status).toBe(200);
    expect(reply.headers["x-request-id"]).not.toContain("sk-");
    const unsafe = await call({ path: "/health", headers: { "x-request-id": "a b<script>" } });
    expect(unsafe.headers["x-request-id"]).toMatch(/^req_/);
    const safe = await call({ path: "/health", headers: { "x-request-id": "trace-42.a_b" } });
    expect(safe.headers["x-request-id"]).toBe("trace-42.a_b");
  });

  it("decodes gzip and deflate bodies, and refuses br and unknown encodings with a 415", async () => {
    const gz = await call({ method: "POST", path: "/v1/chat/completions", headers: { ...JSON_HEADERS, "content-encoding": "gzip" }, body: gzipSync(chat()) });
    expect(gz.status, gz.text).toBe(200);
    const br = await call({ method: "POST", path: "/v1/chat/completions", headers: { ...JSON_HEADERS, "content-encoding": "br" }, body: brotliCompressSync(chat()) });
    expectOpenAIError(br, 415, "unsupported_media_type");
    const zstd = await call({ method: "POST", path: "/v1/messages", headers: { ...JSON_HEADERS, "content-encoding": "zstd" }, body: "x" });
    expectAnthropicError(zstd, 415);
  });

  it("never echoes body bytes into an error message", async () => {
    const garbage = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x00, 0x01, 0x7b, 0x22]);
    const bad = await call({ method: "POST", path: "/v1/chat/completions", headers: { ...JSON_HEADERS, "content-encoding": "gzip" }, body: garbage });
    expectOpenAIError(bad, 400, "invalid_encoding");
    // Binary sent as if plain JSON: refused as invalid UTF-8, no bytes quoted back.
    const binary = await call({ method: "POST", path: "/v1/chat/completions", headers: JSON_HEADERS, body: gzipSync(chat()) });
    expectOpenAIError(binary, 400, "invalid_utf8");
    // A field's value (or name) quoted in a validation message is quoted in printable form.
    const control = await call({ method: "POST", path: "/v1/chat/completions", headers: JSON_HEADERS, body: '{"model":"up/gpt-4o","messages":["\\u0000\\u001b[31m"],"\\u0007":1}' });
    expectOpenAIError(control, 400, "invalid_value");
    for (const reply of [bad, binary, control]) expect(JSON.parse(reply.text).error.message).toMatch(/^[\x20-\x7e]*$/);
  });

  it("refuses non-JSON content types with a 415 and invalid UTF-8 with a 400", async () => {
    expectOpenAIError(await call({ method: "POST", path: "/v1/chat/completions", headers: { ...AUTH, "content-type": "text/plain" }, body: chat() }), 415, "unsupported_media_type");
    expectOpenAIError(await call({ method: "POST", path: "/v1/embeddings", headers: AUTH, body: chat() }), 415, "unsupported_media_type");
    const invalid = Buffer.concat([Buffer.from('{"model":"up/gpt-4o","messages":[{"role":"user","content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}]}')]);
    expectOpenAIError(await call({ method: "POST", path: "/v1/chat/completions", headers: JSON_HEADERS, body: invalid }), 400, "invalid_utf8");
  });

  it("puts a request id and a JSON error body on router, health, metrics and 500 answers", async () => {
    expectOpenAIError(await call({ path: "/nope" }), 404, "not_found");
    expectOpenAIError(await call({ method: "DELETE", path: "/v1/chat/completions" }), 405, "method_not_allowed");
    expectAnthropicError(await call({ method: "GET", path: "/v1/messages" }), 405);
    // The router answers an Anthropic client in Anthropic's dialect on the paths it shares, and at an escaped surface path.
    expectAnthropicError(await call({ method: "POST", path: "/v1/models", headers: { "anthropic-version": "2023-06-01" } }), 405);
    expectAnthropicError(await call({ method: "GET", path: "/v1/%6dessages" }), 405);
    for (const path of ["/health", "/ready"]) {
      const reply = await call({ path });
      expect(reply.status).toBe(200);
      expect(reply.headers["x-request-id"]).toMatch(/^req_/);
    }
    const scrape = await call({ path: "/metrics", headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers["x-request-id"]).toMatch(/^req_/);
    expectOpenAIError(await call({ path: "/metrics" }), 401, "invalid_api_key");
    const broken = await call({ path: "/broken" });
    expectOpenAIError(broken, 500, "internal_error");
    expect(broken.text).not.toContain("/srv/app");
  });

  it("answers an HTTP/1.1 request without Host with a 400 JSON error and a request id", async () => {
    const result = await rawExchange(Number(new URL(gateway.url).port), (socket) => socket.write("GET /health HTTP/1.1\r\n\r\n"));
    expect(result.closed).toBe(true);
    expect(statuses(result.text)).toEqual([400]);
    expect(firstHeader(result.text, "x-request-id")).toMatch(/^req_/);
    expect(firstJsonBody(result.text)).toMatchObject({ error: { code: "bad_request", message: expect.stringContaining("Host") } });
  });

  it("rebuilds upstream errors that echo the provider key, without the key", async () => {
    for (const status of [400, 429, 500]) {
      upstream.reset();
      const echo = JSON.stringify({ error: { message: `Bad request from Authorization: Bearer ${PROVIDER_KEY} at /srv/provider/app.py`, type: "invalid_request_error", code: "echo" } });
      upstream.fail({ status, body: echo, headers: { "content-type": "application/json" } });
      const reply = await call({ method: "POST", path: "/v1/chat/completions", headers: JSON_HEADERS, body: chat() });
      expect(reply.status).toBe(status);
      expect(reply.headers["x-request-id"]).toMatch(/^req_/);
      expect(JSON.parse(reply.text)).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
      expect(reply.text).not.toContain(PROVIDER_KEY);
      expect(JSON.stringify(reply.headers)).not.toContain(PROVIDER_KEY);
    }
    upstream.reset();
    upstream.fail({ status: 502, body: "<html><body>nginx: upstream at /etc/nginx/conf.d failed</body></html>", headers: { "content-type": "text/html" } });
    const html = await call({ method: "POST", path: "/v1/messages", headers: JSON_HEADERS, body: JSON.stringify({ model: "up/gpt-4o", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
    expectAnthropicError(html, 502);
    expect(html.text).not.toContain("<html>");
    expect(html.text).not.toContain("/etc/nginx");
  });
});
