import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { RUNTIMES, type RunningGateway, type Runtime, startCli } from "../helpers/cli.ts";
import { firstHeader, firstJsonBody, rawExchange, sendHugeBody, statuses } from "../helpers/raw-http.ts";

/**
 * Slow and oversized clients, on every runtime, against the CLI with short configured limits.
 * Each test waits for the server to act (close, answer) within a bound far above the limit;
 * nothing is timed. Before the server limits existed: Deno kept every one of these connections
 * open, Bun kept a stalled body open and dropped pipelined requests, Node waited ~5 minutes, and
 * parser-level answers had no JSON body or request id.
 */

const LIMITS = { headersTimeoutMs: 600, requestTimeoutMs: 1200, keepAliveTimeoutMs: 600, maxHeaderBytes: 4096, maxHeaders: 20 };
/** Far above every limit, so a pass never depends on how loaded the machine is. */
const WAIT_MS = 10_000;

function writeConfig(upstreamUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-limits-"));
  const path = join(dir, "switchyard.config.ts");
  writeFileSync(
    path,
    `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
export default defineConfig({
  providers: { up: openai({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)} }) },
  limits: { maxBodyBytes: 1024 * 1024 },
  server: ${JSON.stringify(LIMITS)},
});
`,
  );
  return path;
}

const chatBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: "up/gpt-4o", messages: [{ role: "user", content: "hi" }], ...extra });
const chatRequest = (body = chatBody()) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

function expectJsonError(text: string, status: number, code: string): void {
  expect(statuses(text)[0]).toBe(status);
  expect(firstHeader(text, "content-type")).toBe("application/json");
  expect(firstHeader(text, "x-request-id")).toMatch(/^req_/);
  expect(firstJsonBody(text)).toMatchObject({ error: { code, type: expect.any(String), message: expect.any(String) } });
}

describe.each(RUNTIMES)("server limits on %s", (runtime: Runtime) => {
  const upstream = mockUpstream();
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  let port: number;

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
    port = Number(new URL(gateway.url).port);
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(500);
  });

  it("closes a connection that never sends a byte, with a 408 JSON error", async () => {
    const result = await rawExchange(port, () => {}, WAIT_MS);
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 408, "request_timeout");
  });

  it("closes a connection whose headers arrive a byte at a time", async () => {
    const head = `GET /health HTTP/1.1\r\nhost: x\r\nx-slow: ${"a".repeat(1000)}\r\n\r\n`;
    const result = await rawExchange(port, (socket, count) => {
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= head.length) return clearInterval(timer);
        socket.write(head[i++]);
        count(1);
      }, 20);
      socket.once("close", () => clearInterval(timer));
    }, WAIT_MS);
    expect(result.closed).toBe(true);
    // Cut while the header block was still coming.
    expect(result.sent).toBeLessThan(head.length);
    expectJsonError(result.text, 408, "request_timeout");
  });

  it("closes a request whose body stalls, with a 408 JSON error", async () => {
    const result = await rawExchange(port, (socket) => {
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`);
    }, WAIT_MS);
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 408, "request_timeout");
  });

  it("closes a keep-alive connection left idle after an answer", async () => {
    const result = await rawExchange(port, (socket) => socket.write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n"), WAIT_MS);
    expect(result.closed).toBe(true);
    expect(statuses(result.text)).toEqual([200]);
  });

  it("answers a header block over maxHeaderBytes with 431 JSON", async () => {
    const result = await rawExchange(port, (socket) => socket.write(`GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(LIMITS.maxHeaderBytes)}\r\n\r\n`));
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 431, "request_header_fields_too_large");
  });

  it("answers more than maxHeaders header fields with 431 JSON", async () => {
    const fields = Array.from({ length: LIMITS.maxHeaders + 1 }, (_, i) => `x-h${i}: 1\r\n`).join("");
    const result = await rawExchange(port, (socket) => socket.write(`GET /health HTTP/1.1\r\nhost: x\r\n${fields}\r\n`));
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 431, "request_header_fields_too_large");
  });

  it("answers bytes that are not HTTP with 400 JSON", async () => {
    const result = await rawExchange(port, (socket) => socket.write("NOT HTTP AT ALL\r\n\r\n"));
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 400, "bad_request");
  });

  it("answers pipelined requests in order while the upstream is asynchronous", async () => {
    const result = await rawExchange(port, (socket) => {
      socket.write(chatRequest() + chatRequest() + chatRequest());
    }, WAIT_MS);
    // Closed by the keep-alive limit once all three were answered.
    expect(result.closed).toBe(true);
    expect(statuses(result.text)).toEqual([200, 200, 200]);
    expect(result.text.match(/"object":"chat\.completion"/g)).toHaveLength(3);
  });

  it("keeps a quiet stream open far past every limit", async () => {
    upstream.reset();
    const gate = upstream.gate(2);
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: chatBody({ stream: true }) });
    await gate.reached;
    // Longer than the headers, request and keep-alive limits together.
    await new Promise((r) => setTimeout(r, 3 * LIMITS.requestTimeoutMs));
    gate.release();
    expect(await response.text()).toContain("data: [DONE]");
  });

  it("answers 413 to a declared 50 MiB body and stops reading it", async () => {
    const total = 50 * 1024 * 1024;
    // A client that keeps sending whatever the server says.
    const result = await sendHugeBody(port, `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`, total);
    expect(result.closed).toBe(true);
    expectJsonError(result.text, 413, "request_too_large");
    // Only what socket buffers held was taken; the connection was closed long before 50 MiB.
    expect(result.sent).toBeLessThan(total / 2);
  }, 40_000);
});
