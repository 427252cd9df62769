/**
 * Amazon Bedrock: the Converse dialect on its own (requests encoded, answers and binary event
 * streams read, however the stream is cut), the `bedrock` adapter (URL, SigV4, credentials from
 * the environment, errors) through the provider conformance suite, and the official `openai` and
 * `@anthropic-ai/sdk` clients through the gateway in front of the mock Bedrock.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { StreamEvent } from "../../core/canonical.ts";
import { bedrock as bedrockDialect, encodeEvent, encodeException } from "../../dialects/bedrock/index.ts";
import { route } from "../../plugins/index.ts";
import { bedrock } from "../../providers/index.ts";
import { createTestGateway, foldStream, inProcessUpstream, mockBedrockUpstream, neutralRequest, providerConformance } from "../../testing/index.ts";

const CREDENTIALS = { accessKeyId: "AKIAMOCKBEDROCK00001", secretAccessKey: "mock-secret-key-0123456789abcdefghij" };
const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decode(bytes: Uint8Array, cuts: number[], model = MODEL): StreamEvent[] {
  const decoder = bedrockDialect.streamDecoder(model);
  const events: StreamEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  events.push(...decoder.end());
  return events;
}

/** A recorded Converse stream: reasoning, text, then a tool call (the shapes of AWS's ConverseStream reference). */
const STREAM = concat([
  encodeEvent("messageStart", { role: "assistant", p: "abcd" }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "Thinking it over." } } }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig-1" } } }),
  encodeEvent("contentBlockStop", { contentBlockIndex: 0 }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 1, delta: { text: "Let me " } }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 1, delta: { text: "check." } }),
  encodeEvent("contentBlockStop", { contentBlockIndex: 1 }),
  encodeEvent("contentBlockStart", { contentBlockIndex: 2, start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } } }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"city":' } } }),
  encodeEvent("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '"Oslo"}' } } }),
  encodeEvent("contentBlockStop", { contentBlockIndex: 2 }),
  encodeEvent("messageStop", { stopReason: "tool_use" }),
  encodeEvent("metadata", { usage: { inputTokens: 20, outputTokens: 12, totalTokens: 40, cacheReadInputTokens: 8 }, metrics: { latencyMs: 300 } }),
]);

describe("the Bedrock Converse dialect", () => {
  it("encodes a neutral request as a Converse body, and reports what Converse cannot carry", () => {
    const encoded = bedrockDialect.encodeRequest(
      neutralRequest({
        model: MODEL,
        system: [{ type: "text", text: "Be brief.", cache: { type: "ephemeral" } }],
        messages: [
          { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0K" } }] },
          { role: "assistant", content: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' }] },
          { role: "user", content: [{ type: "tool_result", callId: "call_1", content: [{ type: "text", text: "4C" }], isError: false }] },
          { role: "system", content: [{ type: "text", text: "Answer in French." }] },
        ],
        tools: [{ name: "get_weather", description: "Weather", parameters: { type: "object" } }],
        toolChoice: { type: "required" },
        maxTokens: 300,
        temperature: 0.4,
        topP: 0.9,
        topK: 40,
        stop: ["END"],
        seed: 1,
        reasoning: { budgetTokens: 2048 },
        user: "u-1",
      }),
      { model: MODEL, streamUsage: false },
    );
    expect(encoded.body).toEqual({
      messages: [
        { role: "user", content: [{ text: "Weather?" }, { image: { format: "png", source: { bytes: "iVBORw0K" } } }] },
        { role: "assistant", content: [{ toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Oslo" } } }] },
        { role: "user", content: [{ toolResult: { toolUseId: "call_1", content: [{ text: "4C" }], status: "success" } }, { text: "Answer in French." }] },
      ],
      system: [{ text: "Be brief." }, { cachePoint: { type: "default" } }],
      inferenceConfig: { maxTokens: 300, temperature: 0.4, topP: 0.9, stopSequences: ["END"] },
      toolConfig: { tools: [{ toolSpec: { name: "get_weather", description: "Weather", inputSchema: { json: { type: "object" } } } }], toolChoice: { any: {} } },
      additionalModelRequestFields: { top_k: 40, thinking: { type: "enabled", budget_tokens: 2048 } },
    });
    expect([...encoded.dropped].sort()).toEqual(["seed", "user"]);
  });

  it("refuses media given by URL, which Converse cannot fetch, with a 400", () => {
    const request = neutralRequest({ model: MODEL, messages: [{ role: "user", content: [{ type: "image", source: { kind: "url", url: "https://example.com/cat.png" } }] }] });
    expect(() => bedrockDialect.encodeRequest(request, { model: MODEL, streamUsage: false })).toThrow(expect.objectContaining({ status: 400, code: "unsupported_parameter" }));
  });

  it("reads a Converse answer: text, tool use, reasoning, stop reason, usage with cache reads, the target's model", () => {
    const text = JSON.stringify({
      output: { message: { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "Hmm.", signature: "s" } } }, { text: "It is 4C." }, { toolUse: { toolUseId: "tooluse_9", name: "log", input: { ok: true } } }] } },
      stopReason: "tool_use",
      usage: { inputTokens: 10, outputTokens: 5, totalTokens: 25, cacheReadInputTokens: 6, cacheWriteInputTokens: 4 },
      metrics: { latencyMs: 120 },
    });
    const parsed = bedrockDialect.parseResponse(text, MODEL);
    expect(parsed).toMatchObject({ model: MODEL, finish: "tool_calls", usage: { inputTokens: 20, outputTokens: 5, totalTokens: 25, cachedTokens: 6, cacheWriteTokens: 4, reasoningTokens: 0 } });
    expect(parsed.content).toEqual([{ type: "thinking", text: "Hmm.", signature: "s" }, { type: "text", text: "It is 4C." }, { type: "tool_call", id: "tooluse_9", name: "log", arguments: '{"ok":true}' }]);
    expect(bedrockDialect.usageOf(text)).toEqual(parsed.usage);
    expect(bedrockDialect.parseResponse(bedrockDialect.encodeResponse(parsed, {}), MODEL)).toMatchObject({ content: parsed.content, finish: parsed.finish, usage: parsed.usage });
  });

  it("decodes a binary Converse stream to neutral events, the same however the bytes are cut", () => {
    const whole = decode(STREAM, []);
    expect(whole[0]).toMatchObject({ type: "start", model: MODEL, usage: null });
    expect(whole.slice(1)).toEqual([
      { type: "block_start", index: 0, block: { type: "thinking" } },
      { type: "thinking", index: 0, text: "Thinking it over." },
      { type: "signature", index: 0, signature: "sig-1" },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "text" } },
      { type: "text", index: 1, text: "Let me " },
      { type: "text", index: 1, text: "check." },
      { type: "block_stop", index: 1 },
      { type: "block_start", index: 2, block: { type: "tool_call", id: "tooluse_1", name: "get_weather" } },
      { type: "tool_args", index: 2, json: '{"city":' },
      { type: "tool_args", index: 2, json: '"Oslo"}' },
      { type: "block_stop", index: 2 },
      { type: "finish", reason: "tool_calls", stopSequence: null },
      { type: "usage", usage: { inputTokens: 28, outputTokens: 12, totalTokens: 40, cachedTokens: 8, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: "done" },
    ]);
    const expected = foldStream(whole);
    const byteByByte = decode(STREAM, Array.from({ length: STREAM.length - 1 }, (_, i) => i + 1));
    expect(foldStream(byteByByte)).toEqual({ ...expected, start: { ...(expected.start as object), id: (foldStream(byteByByte).start as { id: string }).id } });
    for (const seed of [3, 7, 11, 19]) {
      const cuts = Array.from({ length: 9 }, (_, i) => Math.floor(((i + 1) * STREAM.length * seed) / 97) % STREAM.length).filter((c) => c > 0).sort((a, b) => a - b);
      const events = decode(STREAM, [...new Set(cuts)]);
      expect(events.filter((e) => e.type !== "start")).toEqual(whole.filter((e) => e.type !== "start"));
    }
  });

  it("never reports a stream cut before its finish as done, and ends one that lost only its metadata", () => {
    const stopAt = STREAM.length - encodeEvent("metadata", { usage: { inputTokens: 20, outputTokens: 12, totalTokens: 40, cacheReadInputTokens: 8 }, metrics: { latencyMs: 300 } }).length;
    for (const cut of [10, 200, Math.floor(stopAt / 2), stopAt - encodeEvent("messageStop", { stopReason: "tool_use" }).length]) {
      expect(decode(STREAM.subarray(0, cut), []).some((e) => e.type === "done")).toBe(false);
    }
    expect(decode(STREAM.subarray(0, stopAt), []).at(-1)).toEqual({ type: "done" });
  });

  it("turns an exception message mid-stream into an error event, and a frame of impossible length into one too", () => {
    const failed = decode(concat([encodeEvent("messageStart", { role: "assistant" }), encodeException("throttlingException", "Too many tokens, please wait before trying again.")]), []);
    expect(failed.at(-1)).toEqual({ type: "error", error: { type: "throttlingException", message: "Too many tokens, please wait before trying again." } });
    const broken = decode(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 1]), []);
    expect(broken).toEqual([{ type: "error", error: { type: "invalid_event_stream", message: expect.stringContaining("out of bounds") } }]);
  });

  it("the pass-through scanner forwards the bytes and reads usage and exceptions", () => {
    const scanner = bedrockDialect.scanner(false);
    expect(scanner.push(STREAM)).toBe(STREAM);
    expect(scanner.usage).toMatchObject({ inputTokens: 28, outputTokens: 12 });
  });

  it("reads AWS error bodies: the message and the exception name", () => {
    expect(bedrockDialect.parseError('{"message":"Too many requests"}')).toEqual({ type: null, message: "Too many requests", code: null, param: null });
    expect(bedrockDialect.parseError('{"__type":"com.amazon.bedrock#ValidationException","Message":"bad"}')).toEqual({ type: "ValidationException", message: "bad", code: null, param: null });
    expect(bedrockDialect.parseError("<html>")).toBeNull();
  });
});

describe("bedrock provider conformance", () => {
  const mock = mockBedrockUpstream(CREDENTIALS);
  const adapter = bedrock({ region: "eu-central-1", ...CREDENTIALS, baseURL: "http://bedrock.test" });
  for (const check of providerConformance({ adapter, mock, model: MODEL })) it(check.name, check.run);
});

describe("bedrock provider", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  async function sendOnce(adapter: ReturnType<typeof bedrock>, stream = false) {
    const mock = mockBedrockUpstream({ sessionToken: "session-1", apiKey: "bedrock-api-key-1" });
    const seen: string[] = [];
    const upstream = inProcessUpstream(async (request) => {
      seen.push(request.url);
      return mock.fetch(request);
    });
    const body = JSON.stringify(bedrockDialect.encodeRequest(neutralRequest({ model: MODEL, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] }), { model: MODEL, streamUsage: false }).body);
    const reply = await adapter.send({ provider: "aws", operation: "generate", format: "bedrock", model: MODEL, bodyText: body, stream, headers: {}, signal: new AbortController().signal, connectTimeoutMs: undefined, upstream });
    return { mock, seen, reply };
  }

  it("takes region and credentials from the AWS_* environment, signs for service bedrock with the session token", async () => {
    Object.assign(process.env, { AWS_REGION: "ap-northeast-1", AWS_ACCESS_KEY_ID: "AKIAFROMENVIRONMENT1", AWS_SECRET_ACCESS_KEY: "env-secret-0123456789", AWS_SESSION_TOKEN: "session-1" });
    const { mock, seen, reply } = await sendOnce(bedrock());
    expect(reply.kind).toBe("json");
    expect(seen[0]).toBe(`https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/${encodeURIComponent(MODEL)}/converse`);
    expect(mock.calls[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFROMENVIRONMENT1\/\d{8}\/ap-northeast-1\/bedrock\/aws4_request, SignedHeaders=[^,]*x-amz-security-token/);
    expect(mock.calls[0].headers["x-amz-security-token"]).toBe("session-1");
  });

  it("streams from /converse-stream as the binary event stream, and takes a Bedrock API key instead of signing", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_BEARER_TOKEN_BEDROCK = "bedrock-api-key-1";
    const { mock, seen, reply } = await sendOnce(bedrock({ region: "us-east-1" }), true);
    expect(seen[0]).toMatch(/\/converse-stream$/);
    expect(mock.calls[0].headers.authorization).toBe("Bearer bedrock-api-key-1");
    expect(reply.kind).toBe("stream");
  });

  it("says what is missing when there is no region or no credentials", () => {
    for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_BEARER_TOKEN_BEDROCK"]) delete process.env[name];
    expect(() => bedrock({ ...CREDENTIALS })).toThrow(/region/);
    expect(() => bedrock({ region: "us-east-1" })).toThrow(/credentials/);
  });

  it("reads the exception name from x-amzn-ErrorType: throttling is retryable, validation the client's", async () => {
    const mock = mockBedrockUpstream(CREDENTIALS);
    const adapter = bedrock({ region: "us-east-1", ...CREDENTIALS, baseURL: "http://bedrock.test" });
    const call = { provider: "aws", operation: "generate" as const, format: "bedrock", model: MODEL, bodyText: '{"messages":[{"role":"user","content":[{"text":"x"}]}]}', stream: false, headers: {}, signal: new AbortController().signal, connectTimeoutMs: undefined, upstream: inProcessUpstream(mock.fetch) };
    mock.fail({ status: 429 }, { status: 400, body: '{"message":"The model returned the following errors: bad"}', headers: { "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" } });
    const throttled = await adapter.send(call).catch((e: unknown) => e);
    expect(throttled).toMatchObject({ status: 429, type: "ThrottlingException", retryable: true, fault: "provider" });
    const invalid = await adapter.send(call).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, type: "ValidationException", retryable: false, message: "The model returned the following errors: bad" });
  });
});

describe("official SDKs through the gateway in front of Bedrock", () => {
  async function setup() {
    const mock = mockBedrockUpstream(CREDENTIALS);
    const gateway = await createTestGateway({
      providers: { aws: bedrock({ region: "us-east-1", ...CREDENTIALS, baseURL: "http://bedrock.test" }) },
      plugins: [route({ models: { "gpt-4o": [{ provider: "aws", model: MODEL }], "claude-haiku-4-5": [{ provider: "aws", model: MODEL }] } })],
      upstream: inProcessUpstream(mock.fetch),
    });
    const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
    return {
      mock,
      openaiClient: new OpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 }),
      claudeClient: new Anthropic({ apiKey: "client-key", baseURL: "http://gateway.test", fetch, maxRetries: 0 }),
    };
  }
  const weather = { type: "function" as const, function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } } };

  it("openai: chat JSON, translated to Converse, answered with the target's model and usage", async () => {
    const { mock, openaiClient } = await setup();
    const completion = await openaiClient.chat.completions.create({ model: "gpt-4o", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello from OpenAI" }], max_tokens: 100 });
    expect(completion.choices[0].message.content).toContain("Hello from OpenAI");
    expect(completion.model).toBe(MODEL);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(mock.calls[0].body).toMatchObject({ system: [{ text: "Be brief." }], messages: [{ role: "user", content: [{ text: "Hello from OpenAI" }] }], inferenceConfig: { maxTokens: 100 } });
    expect(mock.calls[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it("openai: a stream with usage, and a tool call round trip", async () => {
    const { mock, openaiClient } = await setup();
    const stream = await openaiClient.chat.completions.create({ model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Stream via Bedrock" }] });
    let text = "";
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toContain("Stream via Bedrock");
    expect(usage).toBeGreaterThan(0);
    expect(mock.calls[0].path).toMatch(/\/converse-stream$/);
    const first = await openaiClient.chat.completions.create({ model: "gpt-4o", tools: [weather], messages: [{ role: "user", content: "Weather in Bern?" }] });
    const call = first.choices[0].message.tool_calls![0];
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ query: "Weather in Bern?" });
    const second = await openaiClient.chat.completions.create({ model: "gpt-4o", tools: [weather], messages: [{ role: "user", content: "Weather in Bern?" }, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "12C" }] });
    expect(second.choices[0].finish_reason).toBe("stop");
    expect(mock.calls[2].body?.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Bern?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: call.id, name: "get_weather", input: { query: "Weather in Bern?" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: call.id, content: [{ text: "12C" }], status: "success" } }] },
    ]);
  });

  it("openai: a streamed tool call the SDK assembles", async () => {
    const { openaiClient } = await setup();
    const stream = openaiClient.chat.completions.stream({ model: "gpt-4o", tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } }, messages: [{ role: "user", content: "Weather in Riga?" }] });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0].message.tool_calls![0];
    expect(call.type === "function" && call.function.name).toBe("get_weather");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ query: "Weather in Riga?" });
  });

  it("anthropic: /v1/messages JSON and a streamed tool use, in front of Bedrock", async () => {
    const { mock, claudeClient } = await setup();
    const message = await claudeClient.messages.create({ model: "claude-haiku-4-5", max_tokens: 128, system: "Be brief.", messages: [{ role: "user", content: "Claude via Bedrock" }] });
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(message.content[0].type === "text" && message.content[0].text).toContain("Claude via Bedrock");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(mock.calls[0].body).toMatchObject({ inferenceConfig: { maxTokens: 128 }, system: [{ text: "Be brief." }] });
    const stream = claudeClient.messages.stream({ model: "claude-haiku-4-5", max_tokens: 128, tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }], messages: [{ role: "user", content: "Weather in Kyiv?" }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content.find((b) => b.type === "tool_use")).toMatchObject({ name: "get_weather", input: { query: "Weather in Kyiv?" } });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });
});
