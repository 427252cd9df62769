/**
 * The mock upstream's Anthropic side, judged by the official SDK: if `@anthropic-ai/sdk` reads what the
 * mock sends (JSON, streams, tool calls, token counts, errors), the mock speaks the real format.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockInputTokens } from "../../providers/mock-anthropic.ts";
import { mockUpstream } from "../../testing/index.ts";

type APIError = InstanceType<typeof Anthropic.APIError>;

const upstream = mockUpstream({ apiKey: "sk-ant-test" });
let server: Listener;
let client: Anthropic;

beforeAll(async () => {
  server = await listen(upstream.fetch, { port: 0 });
  client = new Anthropic({ apiKey: "sk-ant-test", baseURL: server.url, maxRetries: 0 });
});
afterAll(() => server.close(500));
beforeEach(() => upstream.reset());

const weather = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object" as const, properties: { query: { type: "string" } }, required: ["query"] },
};

describe("mock Anthropic upstream, read by @anthropic-ai/sdk", () => {
  it("answers messages.create with a message the SDK types describe", async () => {
    const message = await client.messages.create({ model: "claude-mock", max_tokens: 256, messages: [{ role: "user", content: "Hello there" }] });
    expect(message.type).toBe("message");
    expect(message.role).toBe("assistant");
    expect(message.model).toBe("claude-mock");
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content).toEqual([{ type: "text", text: 'This is a mock reply from Switchyard. You said: "Hello there"' }]);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil((message.content[0] as { text: string }).text.length / 4));
    expect(message._request_id).toBe("req_mock");
    const call = upstream.calls[0];
    expect(call.path).toBe("/v1/messages");
    // The 2026 SDKs send the key as a bearer token and their own API version.
    expect(call.headers.authorization).toBe("Bearer sk-ant-test");
    expect(call.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("streams the documented event sequence: messages.stream().finalMessage() equals the JSON answer", async () => {
    const params = { model: "claude-mock", max_tokens: 256, messages: [{ role: "user" as const, content: "Stream me a reply of some length" }] };
    const json = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const seen: string[] = [];
    let text = "";
    stream.on("streamEvent", (event) => seen.push(event.type));
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    expect(final.content).toEqual(json.content);
    expect(text).toBe((json.content[0] as { text: string }).text);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.input_tokens).toBe(json.usage.input_tokens);
    expect(final.usage.output_tokens).toBe(json.usage.output_tokens);
    expect(seen[0]).toBe("message_start");
    expect(seen.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(seen.filter((type) => type === "content_block_delta").length).toBeGreaterThan(1);
  });

  it("makes a tool round trip: tool_use, then a text answer to the tool_result", async () => {
    const question = { role: "user" as const, content: "Weather in Paris?" };
    const first = await client.messages.create({ model: "claude-mock", max_tokens: 256, tools: [weather], messages: [question] });
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((block) => block.type === "tool_use");
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", input: { query: "Weather in Paris?" } });
    expect(call!.id).toMatch(/^toolu_/);

    const streamed = await client.messages.stream({ model: "claude-mock", max_tokens: 256, tools: [weather], messages: [question] }).finalMessage();
    expect(streamed.content.find((block) => block.type === "tool_use")).toMatchObject({ name: "get_weather", input: { query: "Weather in Paris?" } });

    const second = await client.messages.create({
      model: "claude-mock",
      max_tokens: 256,
      tools: [weather],
      messages: [question, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call!.id, content: "18C and sunny" }] }],
    });
    expect(second.stop_reason).toBe("end_turn");
    expect(second.content[0]).toMatchObject({ type: "text" });
  });

  it("counts tokens with messages.countTokens, the same count the answer's usage reports", async () => {
    const params = { model: "claude-mock", system: "Be brief.", messages: [{ role: "user" as const, content: "How many tokens is this?" }] };
    const counted = await client.messages.countTokens(params);
    expect(counted.input_tokens).toBe(mockInputTokens(params));
    const answered = await client.messages.create({ ...params, max_tokens: 64 });
    expect(answered.usage.input_tokens).toBe(counted.input_tokens);
    expect(upstream.calls[0].path).toBe("/v1/messages/count_tokens");
  });

  it("thinks when asked: a thinking block with a signature, and thinking tokens in usage", async () => {
    const params = { model: "claude-mock", max_tokens: 4096, thinking: { type: "enabled" as const, budget_tokens: 1024 }, messages: [{ role: "user" as const, content: "Think first" }] };
    const json = await client.messages.create(params);
    expect(json.content[0]).toMatchObject({ type: "thinking" });
    const thinking = json.content[0] as { thinking: string; signature: string };
    expect(thinking.signature.length).toBeGreaterThan(10);
    expect(json.usage.output_tokens_details?.thinking_tokens).toBe(Math.ceil(thinking.thinking.length / 4));
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed.content).toEqual(json.content);
    expect(streamed.usage.output_tokens_details).toEqual(json.usage.output_tokens_details);
  });

  it("writes a cache_control prefix to the prompt cache, then reads it", async () => {
    const params = {
      model: "claude-mock",
      max_tokens: 64,
      system: [{ type: "text" as const, text: "A long, stable system prompt. ".repeat(40), cache_control: { type: "ephemeral" as const } }],
      messages: [{ role: "user" as const, content: "First question" }],
    };
    const first = await client.messages.create(params);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(250);
    expect(first.usage.cache_read_input_tokens).toBe(0);
    const second = await client.messages.stream({ ...params, messages: [{ role: "user", content: "Another question" }] }).finalMessage();
    expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBeLessThan(20);
  });

  it("surfaces injected statuses as the SDK's typed errors, with Anthropic's error types", async () => {
    const params = { model: "claude-mock", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };
    upstream.fail({ status: 529 }, { status: 429, headers: { "retry-after": "7" } }, { status: 400, body: JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "messages.0: bad" } }) });
    const overloaded = await client.messages.create(params).catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect((overloaded as APIError).type).toBe("overloaded_error");
    const limited = await client.messages.create(params).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as APIError).headers?.get("retry-after")).toBe("7");
    const bad = await client.messages.create(params).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect((bad as APIError).message).toContain("messages.0: bad");
    const wrongKey = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: server.url, maxRetries: 0 });
    await expect(wrongKey.messages.create(params)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("cuts a stream after N events: the SDK's stream fails instead of finishing", async () => {
    upstream.fail({ cutAfterEvents: 3 });
    const stream = client.messages.stream({ model: "claude-mock", max_tokens: 64, messages: [{ role: "user", content: "This stream will be cut" }] });
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(upstream.calls).toHaveLength(1);
  });
});
