/**
 * The Anthropic dialect's encoders, judged by the official SDK: neutral events and answers are
 * encoded, served over HTTP as an upstream would, and `@anthropic-ai/sdk` must read back exactly
 * what was meant (content, stop reason, usage), or fail the way Anthropic's own errors make it fail.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CanonicalResponse, StreamEvent } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { listen, type Listener } from "../../runtimes/node.ts";

const usage: Usage = { inputTokens: 1200, outputTokens: 90, totalTokens: 1290, cachedTokens: 1000, cacheWriteTokens: 150, reasoningTokens: 40 };

const events: StreamEvent[] = [
  { type: "start", id: "chatcmpl-abc", model: "gpt-5-mini", usage: null },
  { type: "block_start", index: 0, block: { type: "thinking" } },
  { type: "thinking", index: 0, text: "The user wants the weather; " },
  { type: "thinking", index: 0, text: "call the tool. ×" },
  { type: "signature", index: 0, signature: "c2lnbmF0dXJl" },
  { type: "block_stop", index: 0 },
  { type: "ping" },
  { type: "block_start", index: 1, block: { type: "text" } },
  { type: "text", index: 1, text: "Let me check " },
  { type: "text", index: 1, text: "the weather in Zürich." },
  { type: "block_stop", index: 1 },
  { type: "block_start", index: 2, block: { type: "tool_call", id: "call_9", name: "get_weather" } },
  { type: "tool_args", index: 2, json: '{"city": "Zü' },
  { type: "tool_args", index: 2, json: 'rich", "days": [1, 2]}' },
  { type: "block_stop", index: 2 },
  // An OpenAI-format source: the finish first, its usage after, then the end.
  { type: "finish", reason: "tool_calls", stopSequence: null },
  { type: "usage", usage },
  { type: "done" },
];

const expectedContent = [
  { type: "thinking", thinking: "The user wants the weather; call the tool. ×", signature: "c2lnbmF0dXJl" },
  { type: "text", text: "Let me check the weather in Zürich." },
  { type: "tool_use", id: "call_9", name: "get_weather", input: { city: "Zürich", days: [1, 2] } },
];

const expectedUsage = {
  input_tokens: 50,
  cache_creation_input_tokens: 150,
  cache_read_input_tokens: 1000,
  output_tokens: 90,
  output_tokens_details: { thinking_tokens: 40 },
};

const answer: CanonicalResponse = {
  id: "chatcmpl-abc",
  model: "gpt-5-mini",
  created: 1_700_000_000,
  content: [
    { type: "thinking", text: "The user wants the weather; call the tool. ×", signature: "c2lnbmF0dXJl" },
    { type: "text", text: "Let me check the weather in Zürich." },
    { type: "tool_call", id: "call_9", name: "get_weather", arguments: '{"city": "Zürich", "days": [1, 2]}' },
  ],
  finish: "tool_calls",
  stopSequence: null,
  usage,
};

const encoder = new TextEncoder();
/** What the test server sends for the next request. */
let reply: () => Response;
let server: Listener;
let client: Anthropic;

/** The encoded stream in pieces of 5 bytes, so the SDK's own SSE parser sees events split anywhere. */
function streamOf(text: string): Response {
  const bytes = encoder.encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 5));
      at += 5;
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function encodeStream(list: readonly StreamEvent[], finish = true): string {
  const writer = anthropic.streamEncoder({ model: "claude-alias", max_tokens: 100, messages: [] });
  let text = "";
  for (const event of list) text += writer.encode(event);
  return finish ? text + writer.end() : text;
}

beforeAll(async () => {
  server = await listen(async (request) => {
    // Read the body as any server does: left unread, the SDK's third keep-alive request here hung.
    await request.text();
    return reply();
  }, { port: 0 });
  client = new Anthropic({ apiKey: "k", baseURL: server.url, maxRetries: 0 });
});
afterAll(() => server.close(500));

const params = { model: "claude-alias", max_tokens: 100, messages: [{ role: "user" as const, content: "Weather?" }] };

describe("the Anthropic encoders, read by @anthropic-ai/sdk", () => {
  it("streams neutral events the SDK's finalMessage() assembles exactly: thinking, text, tool input, stop reason, usage", async () => {
    const text = encodeStream(events);
    reply = () => streamOf(text);
    const stream = client.messages.stream(params);
    let streamed = "";
    stream.on("text", (delta) => (streamed += delta));
    const message = await stream.finalMessage();
    expect(message.id).toBe("msg_chatcmpl-abc");
    expect(message.model).toBe("gpt-5-mini");
    expect(message.content).toEqual(expectedContent);
    expect(streamed).toBe("Let me check the weather in Zürich.");
    expect(message.stop_reason).toBe("tool_use");
    expect(message.stop_sequence).toBeNull();
    expect(message.usage).toMatchObject(expectedUsage);
  });

  it("ends a stream that reports a stop sequence with it", async () => {
    const text = encodeStream([
      { type: "start", id: "msg_1", model: "m", usage: null },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "text", index: 0, text: "one, two" },
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "stop_sequence", stopSequence: "three" },
      { type: "done" },
    ]);
    reply = () => streamOf(text);
    const message = await client.messages.stream(params).finalMessage();
    expect(message).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "three", content: [{ type: "text", text: "one, two" }] });
  });

  it("answers messages.create with an encoded neutral answer the SDK reads the same", async () => {
    const text = anthropic.encodeResponse(answer, params);
    reply = () => new Response(text, { headers: { "content-type": "application/json" } });
    const message = await client.messages.create(params);
    expect(message.content).toEqual(expectedContent);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject(expectedUsage);
  });

  it("fails the SDK's stream with Anthropic's error type when a gateway error is encoded mid-stream", async () => {
    const writer = anthropic.streamEncoder(params);
    const text = encodeStream(events.slice(0, 9), false) + writer.error(new GatewayError({ status: 529, message: "Provider \"p\" failed with status 529: Overloaded", type: "overloaded_error" }));
    reply = () => streamOf(text);
    const failure = await client.messages.stream(params).finalMessage().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
    expect(String((failure as Error).message)).toContain("Overloaded");
  });

  it("renders gateway errors so the SDK raises its typed error for the status", async () => {
    const cases: [GatewayError, unknown][] = [
      [new GatewayError({ status: 400, message: "Invalid value for 'max_tokens'.", param: "max_tokens" }), Anthropic.BadRequestError],
      [new GatewayError({ status: 404, message: "The model 'x' does not exist.", code: "model_not_found" }), Anthropic.NotFoundError],
      [new GatewayError({ status: 429, message: "Rate limit reached.", headers: { "retry-after": "2" } }), Anthropic.RateLimitError],
      [new GatewayError({ status: 529, message: "Overloaded", type: "overloaded_error" }), Anthropic.OverloadedError],
    ];
    for (const [error, kind] of cases) {
      const rendered = anthropic.renderError(error, "req_42");
      reply = () => new Response(rendered.body, { status: rendered.status, headers: { "content-type": "application/json" } });
      const failure = await client.messages.create(params).catch((caught: unknown) => caught);
      expect(failure).toBeInstanceOf(kind as new () => unknown);
      expect((failure as InstanceType<typeof Anthropic.APIError>).message).toContain(error.message);
    }
  });
});
