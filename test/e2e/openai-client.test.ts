import { once } from "node:events";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { RUNTIMES, startCli, type RunningGateway, type Runtime, writeConfigFile } from "../helpers/cli.ts";

const TEAM_KEY = "sk-team-a-0123456789";
const NARROW_KEY = "sk-narrow-0123456789";
const UPSTREAM_KEY = "sk-upstream-secret-42";

/** A config script outside the repository, importing the package by name. */
function writeConfig(upstreamUrl: string): string {
  return writeConfigFile("switchyard-e2e-", `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

const upstreamKey: string = ${JSON.stringify(UPSTREAM_KEY)};

export default defineConfig({
  providers: {
    local: openai({ baseURL: ${JSON.stringify(upstreamUrl + "/v1")}, apiKey: upstreamKey }),
  },
  plugins: [
    auth({ keys: [
      { id: "team-a", key: ${JSON.stringify(TEAM_KEY)} },
      { id: "narrow", key: ${JSON.stringify(NARROW_KEY)}, models: ["fast"] },
    ] }),
    route({ models: {
      fast: [{ provider: "local", model: "gpt-4o-mini" }],
      embed: [{ provider: "local", model: "text-embedding-3-small" }],
    } }),
  ],
  limits: { maxBodyBytes: 64 * 1024 },
});
`);
}

/** Resolves "open" or "refused" for a new TCP connection to the port. */
function probe(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve("open")));
    socket.once("error", () => resolve("refused"));
  });
}

// The same config, started by the same CLI command, served by each runtime.
describe.each(RUNTIMES)("gateway on %s driven by the official openai client", (runtime: Runtime) => {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY, chunkDelayMs: 2 });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  let client: OpenAI;
  let configPath: string;

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    configPath = writeConfig(upstreamServer.url);
    gateway = await startCli(["--config", configPath], { cwd: tmpdir(), runtime });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: TEAM_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(1000);
  });

  it("says which runtime serves it", () => {
    expect(gateway.output()).toContain(`runtime: ${runtime}`);
  });

  it("answers a chat completion through auth + route", async () => {
    upstream.reset();
    const completion = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "Say hi" }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0].message.content).toContain("Say hi");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    const call = upstream.calls[0];
    expect(call.body?.model).toBe("gpt-4o-mini");
    // The caller's key never reaches the upstream: it gets the gateway's provider key.
    expect(call.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(call.headers)).not.toContain(TEAM_KEY);
  });

  it("streams, and the first chunk arrives before the upstream has finished", async () => {
    upstream.reset();
    const gate = upstream.gate(2);
    const stream = await client.chat.completions.create({ model: "fast", stream: true, messages: [{ role: "user", content: "stream please" }] });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    await gate.reached;
    // The upstream is paused mid-stream; we already hold its first chunk.
    expect(upstream.calls[0].finished).toBe(false);
    expect(first.value?.object).toBe("chat.completion.chunk");
    gate.release();
    let text = first.value?.choices[0]?.delta?.content ?? "";
    let chunks = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      chunks++;
      text += next.value.choices[0]?.delta?.content ?? "";
      // The client did not ask for usage, so it gets no usage chunk.
      expect(next.value.choices.length).toBeGreaterThan(0);
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toContain("stream please");
    // The gateway asked the upstream for usage to account for the stream.
    expect((upstream.calls[0].body?.stream_options as { include_usage?: boolean }).include_usage).toBe(true);
  });

  it("passes stream usage through when the client asks for it", async () => {
    const stream = await client.chat.completions.create({
      model: "fast",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "count me" }],
    });
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("returns embeddings (the client asks for base64 and decodes it)", async () => {
    const result = await client.embeddings.create({ model: "embed", input: ["one", "two"] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toHaveLength(1536);
    const norm = Math.hypot(...result.data[0].embedding);
    expect(norm).toBeCloseTo(1, 3);
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("lists the models the caller may use", async () => {
    const all = await client.models.list();
    expect(all.data.map((m) => m.id)).toEqual(["fast", "embed"]);
    const narrow = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: NARROW_KEY, maxRetries: 0 });
    const mine = await narrow.models.list();
    expect(mine.data.map((m) => m.id)).toEqual(["fast"]);
    const one = await client.models.retrieve("fast");
    expect(one.id).toBe("fast");
  });

  it("rejects a wrong key with 401 and a forbidden model with 403", async () => {
    const wrong = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "sk-wrong-key-000000", maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      status: 401,
      code: "invalid_api_key",
    });
    const narrow = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: NARROW_KEY, maxRetries: 0 });
    await expect(narrow.embeddings.create({ model: "embed", input: "x" })).rejects.toMatchObject({ status: 403, code: "model_not_allowed" });
  });

  it("answers an unknown model with 404 model_not_found", async () => {
    await expect(client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
  });

  it("answers bad input with OpenAI-shaped errors and keeps serving", async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEAM_KEY}`, "content-type": "application/json", ...headers },
        body,
      });
    const invalidJson = await post("{not json");
    expect(invalidJson.status).toBe(400);
    expect((await invalidJson.json()).error.code).toBe("invalid_json");

    const missingModel = await post(JSON.stringify({ messages: [{ role: "user", content: "x" }] }));
    expect(missingModel.status).toBe(400);
    expect((await missingModel.json()).error.param).toBe("model");

    const badMessages = await post(JSON.stringify({ model: "fast", messages: "hello" }));
    expect(badMessages.status).toBe(400);
    expect((await badMessages.json()).error.param).toBe("messages");

    const tooLarge = await post(JSON.stringify({ model: "fast", messages: [{ role: "user", content: "x".repeat(100_000) }] }));
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error.code).toBe("request_too_large");

    const wrongMethod = await fetch(`${gateway.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect((await wrongMethod.json()).error.type).toBe("invalid_request_error");

    const unknownPath = await fetch(`${gateway.url}/v1/nothing-here`);
    expect(unknownPath.status).toBe(404);
    expect((await unknownPath.json()).error.message).toContain("/v1/nothing-here");

    // Still serving.
    const ok = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "still there?" }] });
    expect(ok.choices[0].message.content).toContain("still there?");
  });

  it("answers 413 to a chunked body over the limit before the body ends", async () => {
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    let reply = "";
    socket.on("data", (chunk) => (reply += chunk));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TEAM_KEY}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
    );
    const chunk = "a".repeat(32 * 1024);
    for (let i = 0; i < 3; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    // The body has not ended (no terminating chunk), yet the answer comes.
    await expect.poll(() => reply, { timeout: 5000 }).toContain("request_too_large");
    expect(reply.startsWith("HTTP/1.1 413")).toBe(true);
    socket.destroy();
  });

  it("lets a fetch client that streams an oversized body read the 413", async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 4 * 1024 * 1024) return controller.close();
        sent += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024).fill(32));
      },
    });
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEAM_KEY}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe("request_too_large");
  });

  it("aborts the upstream request when the client aborts mid-stream", async () => {
    upstream.reset();
    const gate = upstream.gate(3);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "fast", stream: true, messages: [{ role: "user", content: "abort me" }] },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await gate.reached;
    controller.abort();
    gate.release();
    await expect.poll(() => upstream.calls[0].aborted, { timeout: 15_000 }).toBe(true);
    expect(upstream.calls[0].finished).toBe(false);
  });
  it("finishes a stream in flight on SIGTERM, refuses new connections meanwhile, then exits 0", async () => {
    const own = await startCli(["--config", configPath], { cwd: tmpdir(), runtime });
    upstream.reset();
    const gate = upstream.gate(2);
    const response = await fetch(`${own.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEAM_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fast", stream: true, messages: [{ role: "user", content: "long answer" }] }),
    });
    await gate.reached;
    own.child.kill("SIGTERM");
    const port = Number(new URL(own.url).port);
    await expect.poll(() => probe(port), { timeout: 10_000 }).toBe("refused");
    gate.release();
    const text = await response.text();
    expect(text).toContain("data: [DONE]");
    expect(await own.exited).toBe(0);
  });
});
