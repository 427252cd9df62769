import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../core/log-record.ts";
import type { Plugin } from "../../core/plugin.ts";
import { auth, cache, cost, log, route } from "../../plugins/index.ts";
import { openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, readSSE } from "../../testing/index.ts";
import { chat } from "../helpers/upstream.ts";
import { settled } from "../reliability/helpers.ts";
import { memorySink } from "./memory-sink.ts";

const CALLER_KEY = "team-a-key-Zq8vW3xY7pLm";
const PROVIDER_KEY = "sk-provider-SECRET-4f9a8b7c6d5e";

async function loggedGateway(options: { bodies?: boolean | { maxBytes: number }; plugins?: Plugin[] } = {}) {
  const upstream = mockUpstream({ apiKey: PROVIDER_KEY, reply: "hello there" });
  const sink = memorySink();
  const logger = log({ sinks: [sink], bodies: options.bodies, queue: { flushIntervalMs: 5 } });
  const gateway = await createTestGateway({
    providers: { up: openai({ baseURL: "http://up.test/v1", apiKey: PROVIDER_KEY }) },
    upstream: inProcessUpstream(upstream.fetch),
    plugins: [
      auth({ keys: [{ id: "team-a", key: CALLER_KEY, team: "research", tags: ["beta"] }] }),
      route({ models: { fast: [{ provider: "up", model: "gpt-4o-mini" }] } }),
      cost({ prices: { "gpt-4o-mini": { input: 0.15, output: 0.6 } } }),
      ...(options.plugins ?? []),
      logger,
    ],
  });
  /** Every record written so far, once the queue has flushed. */
  const records = async (): Promise<LogRecord[]> => {
    await gateway.drain(5000);
    await logger.flush();
    return sink.records;
  };
  return { gateway, upstream, logger, sink, records };
}

const authed = { authorization: `Bearer ${CALLER_KEY}` };

describe("log plugin: the record", () => {
  it("describes a served request: ids, principal, models, attempt, usage, cost, timings and bytes", async () => {
    const { gateway, records } = await loggedGateway();
    const response = await gateway.post("/v1/chat/completions", { model: "fast", ...chat("hi") }, { ...authed, "x-request-id": "client-id-1", "user-agent": "test-agent/1" });
    const text = await response.text();
    expect(response.status).toBe(200);
    const [record] = await records();
    expect(record).toMatchObject({
      schema: "switchyard.log/1",
      id: "client-id-1",
      surface: "chat",
      method: "POST",
      path: "/v1/chat/completions",
      principal: { id: "team-a", team: "research", tags: ["beta"] },
      requested: { model: "fast", stream: false },
      served: { provider: "up", model: "gpt-4o-mini" },
      status: 200,
      error: null,
      cache: null,
      userAgent: "test-agent/1",
    });
    expect(Date.parse(record.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(record.attempts).toEqual([expect.objectContaining({ index: 0, provider: "up", model: "gpt-4o-mini", outcome: "ok", status: 200 })]);
    expect(record.usage!.inputTokens).toBeGreaterThan(0);
    expect(record.usage!.totalTokens).toBe(record.usage!.inputTokens + record.usage!.outputTokens);
    expect(record.costUsd).toBeGreaterThan(0);
    const t = record.timings;
    expect(t.totalMs).toBeGreaterThanOrEqual(t.upstreamMs);
    expect(t.overheadMs).toBeCloseTo(t.totalMs - t.upstreamMs, 2);
    expect(t.firstByteMs).not.toBeNull();
    expect(record.bytes.in).toBe(Buffer.byteLength(JSON.stringify({ model: "fast", ...chat("hi") })));
    expect(record.bytes.out).toBe(Buffer.byteLength(text));
    expect(record.request).toBeUndefined();
    expect(record.response).toBeUndefined();
  });

  it("counts the bytes of a long, multi-byte request and answer as they crossed the wire", async () => {
    const { gateway, records } = await loggedGateway();
    const body = { model: "fast", ...chat("é中\u{1F600} ".repeat(9000)) };
    const response = await gateway.post("/v1/chat/completions", body, authed);
    const text = await response.text();
    const [record] = await records();
    expect(record.bytes.in).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(record.bytes.out).toBe(Buffer.byteLength(text));
  });

  it("counts the bytes of a streamed answer as the client received them", async () => {
    const { gateway, records } = await loggedGateway();
    const response = await gateway.post("/v1/chat/completions", { model: "fast", stream: true, ...chat("stream é 中") }, authed);
    const body = Buffer.from(await response.arrayBuffer());
    const [record] = await records();
    expect(record.requested.stream).toBe(true);
    expect(record.bytes.out).toBe(body.byteLength);
    expect(record.usage).not.toBeNull();
  });

  it("records a refusal with its fault class and no principal", async () => {
    const { gateway, records } = await loggedGateway();
    const response = await gateway.post("/v1/chat/completions", { model: "fast", ...chat("hi") }, { authorization: "Bearer wrong-key-123456789" });
    expect(response.status).toBe(401);
    const [record] = await records();
    expect(record).toMatchObject({ status: 401, principal: null, served: null, attempts: [], error: { fault: "policy" } });
  });

  it("records a failed attempt and the provider fault", async () => {
    const { gateway, upstream, records } = await loggedGateway();
    upstream.fail({ status: 503 });
    const response = await gateway.post("/v1/chat/completions", { model: "fast", ...chat("hi") }, authed);
    expect(response.status).toBe(503);
    const [record] = await records();
    expect(record.attempts).toEqual([expect.objectContaining({ outcome: "error", status: 503, fault: "provider" })]);
    expect(record.error).toMatchObject({ fault: "provider" });
    expect(record.served).toBeNull();
  });

  it("takes the cache status from the cache plugin", async () => {
    const { gateway, records } = await loggedGateway({ plugins: [cache({ ttl: 60 })] });
    for (let i = 0; i < 2; i++) {
      await (await gateway.post("/v1/chat/completions", { model: "fast", ...chat("same") }, authed)).text();
      // The answer is stored after the request completes; the second request must find it.
      await settled(gateway);
    }
    const logged = await records();
    expect(logged.map((r) => r.cache)).toEqual(["miss", "hit"]);
    expect(logged[1].attempts).toEqual([]);
  });

  it("logs bodies only when asked, redacted and cut at maxBytes", async () => {
    const { gateway, records } = await loggedGateway({ bodies: { maxBytes: 300 } });
    const long = "x".repeat(2000);
    await (await gateway.post("/v1/chat/completions", { model: "fast", ...chat(`my key is ${CALLER_KEY} ${long}`) }, authed)).text();
    const [record] = await records();
    expect(record.request!.truncated).toBe(true);
    expect(Buffer.byteLength(record.request!.text)).toBeLessThanOrEqual(300);
    expect(record.request!.text).toContain("my key is [redacted]");
    expect(record.response!.text.length).toBeGreaterThan(0);
  });
});

describe("log plugin: no secret reaches a record", () => {
  it("scrubs the caller's key, the provider key, bearer tokens and credential fields wherever they appear", async () => {
    const { gateway, upstream, records } = await loggedGateway({ bodies: true });
    const secrets = [CALLER_KEY, PROVIDER_KEY, "sk-ant-api03-abcdefghijklmnop", "hunter2-password-value", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"];
    // Bodies carrying secrets the way clients leak them: in a message, in a credential field, in metadata.
    await (await gateway.post("/v1/chat/completions", {
      model: "fast",
      messages: [{ role: "user", content: `use ${secrets[2]} and Bearer ${secrets[4]}` }],
      metadata: { api_key: "plain-value-no-pattern-1", password: secrets[3], note: PROVIDER_KEY },
    }, { ...authed, cookie: "session=abcdef123456", "x-api-key": CALLER_KEY })).text();
    // An upstream error that quotes the key it was given (OpenAI's 401 does).
    upstream.fail({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${PROVIDER_KEY}.`, type: "invalid_request_error", code: "invalid_api_key", param: null } }) });
    await (await gateway.post("/v1/chat/completions", { model: "fast", ...chat("again") }, authed)).text();
    // A caller key sent to a gateway that refuses it, echoed in nothing but still on the request.
    await (await gateway.post("/v1/chat/completions", { model: "fast", ...chat(CALLER_KEY + "x") }, { authorization: `Bearer ${CALLER_KEY}x` })).text();

    const logged = await records();
    expect(logged).toHaveLength(3);
    const everything = JSON.stringify(logged);
    for (const secret of [...secrets, "plain-value-no-pattern-1", "abcdef123456"]) expect(everything).not.toContain(secret);
    expect(everything).toContain("[redacted]");
  });
});

describe("log plugin: options and shutdown", () => {
  it("refuses a config without sinks, with duplicate sink names, or requiring an unknown sink", () => {
    expect(() => log({ sinks: [] })).toThrow(/at least one sink/);
    expect(() => log({ sinks: [memorySink("a"), memorySink("a")] })).toThrow(/two sinks are named "a"/);
    expect(() => log({ sinks: [memorySink("a")], required: ["b"] })).toThrow(/required sink "b"/);
  });

  it("gateway.close() writes every record of the requests that completed", async () => {
    const sink = memorySink();
    const gateway = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), log({ sinks: [sink], queue: { flushIntervalMs: 60_000 } })] });
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => gateway.post("/v1/chat/completions", { model: "mock", ...chat(`n${i}`) })));
    const ids = responses.map((r) => r.headers.get("x-request-id"));
    await gateway.close({ timeoutMs: 5000 });
    expect(sink.records.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it("a required sink makes /ready fail while its writes fail, and pass again once one succeeds", async () => {
    const sink = memorySink("audit");
    const logger = log({ sinks: [sink, memorySink("spare")], required: ["audit"], queue: { flushIntervalMs: 5, retries: 0 } });
    const gateway = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), logger] });
    expect((await gateway.request("/ready")).status).toBe(200);
    sink.failing = true;
    await (await gateway.post("/v1/chat/completions", { model: "mock", ...chat("a") })).text();
    await gateway.drain(5000);
    await logger.flush();
    const notReady = await gateway.request("/ready");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: "not_ready", failing: ["log sink audit"] });
    expect(logger.sinkStats().audit).toMatchObject({ dropped: 1, failedWrites: 1 });
    expect(logger.sinkStats().spare).toMatchObject({ written: 1 });
    sink.failing = false;
    await (await gateway.post("/v1/chat/completions", { model: "mock", ...chat("b") })).text();
    await gateway.drain(5000);
    await logger.flush();
    expect((await gateway.request("/ready")).status).toBe(200);
    expect(gateway.reported.some((e) => e.message.includes("audit is down"))).toBe(true);
  });

  it("a required sink that comes back is ready again without new traffic (the ready check probes it)", async () => {
    const sink = memorySink("audit");
    const logger = log({ sinks: [sink], required: true, queue: { flushIntervalMs: 5, retries: 0, backoff: { maxMs: 20 } } });
    const gateway = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), logger] });
    sink.failing = true;
    const response = await gateway.post("/v1/chat/completions", { model: "mock", ...chat("a") });
    const id = response.headers.get("x-request-id");
    await response.text();
    await expect.poll(async () => (await gateway.request("/ready")).status, { timeout: 10_000 }).toBe(503);
    sink.failing = false;
    await expect.poll(async () => (await gateway.request("/ready")).status, { timeout: 10_000 }).toBe(200);
    // The probe wrote the batch it had given up on.
    expect(sink.records.map((r) => r.id)).toEqual([id]);
    expect(logger.logStats()).toMatchObject({ dropped: 0, written: 1 });
  });

  it("logStats sums the queues of every sink", async () => {
    const logger = log({ sinks: [memorySink("a"), memorySink("b")], queue: { maxQueue: 10 } });
    const gateway = await createTestGateway({ plugins: [route({ models: { mock: [{ provider: "mock", model: "mock" }] } }), logger] });
    await (await gateway.post("/v1/chat/completions", { model: "mock", ...chat("a") })).text();
    await gateway.drain(5000);
    await logger.flush();
    expect(logger.logStats()).toEqual({ queued: 0, dropped: 0, written: 2, failedWrites: 0, capacity: 20 });
    // Other plugins read the same numbers through the typed api.
    expect(gateway.plugins.find((p) => p.name === "log")?.api?.log?.stats()).toEqual(logger.logStats());
    expect(logger.api.log.sinks()).toEqual(logger.sinkStats());
  });
});

describe("log plugin: streams", () => {
  it("logs a streamed request once it has ended", async () => {
    const { gateway, records } = await loggedGateway();
    const response = await gateway.post("/v1/chat/completions", { model: "fast", stream: true, ...chat("s") }, authed);
    expect((await readSSE(response)).length).toBeGreaterThan(1);
    const [record] = await records();
    expect(record.status).toBe(200);
    expect(record.timings.totalMs).toBeGreaterThanOrEqual(record.timings.firstByteMs!);
  });
});
