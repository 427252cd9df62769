/**
 * The Anthropic dialect's tricky mappings, one at a time: what the conformance transcripts do not
 * pin down (tool results, images, structured output, reasoning, the held finish, pass-through
 * bodies, usage scanning, errors, estimates on hostile input).
 */
import { describe, expect, it } from "vitest";
import type { CanonicalRequest, StreamEvent } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { openai } from "../../dialects/openai/index.ts";
import { decodeStream, neutralRequest } from "../../testing/index.ts";

const encoder = new TextEncoder();

function neutral(fields: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return neutralRequest({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], ...fields });
}

function thrown(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

const usage = (input: number, output: number, cached = 0, written = 0): Usage => ({
  inputTokens: input,
  outputTokens: output,
  totalTokens: input + output,
  cachedTokens: cached,
  cacheWriteTokens: written,
  reasoningTokens: 0,
});

describe("Anthropic requests from OpenAI clients (neutral → Anthropic)", () => {
  it("puts tool results first in their user message, images a tool returned inside the result, errors flagged", () => {
    const request = openai.parseRequest({
      model: "gpt",
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }, { id: "c2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "18C" },
        { role: "tool", tool_call_id: "c2", content: "21C" },
        { role: "user", content: "Which is warmer?" },
      ],
      tools: [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    const { body } = anthropic.encodeRequest(request, { model: "claude", streamUsage: false });
    const messages = body.messages as { role: string; content: { type: string }[] }[];
    expect(messages[1].content.map((block) => block.type)).toEqual(["tool_use", "tool_use"]);
    expect(messages[1].content[0]).toEqual({ type: "tool_use", id: "c1", name: "weather", input: { city: "Paris" } });
    // The results join one user turn, ahead of the next question.
    expect(messages.slice(2).map((m) => m.content.map((block) => block.type))).toEqual([["tool_result", "tool_result"], ["text"]]);

    const mixed = anthropic.encodeRequest(
      neutral({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look at this" },
              { type: "tool_result", callId: "t1", content: [{ type: "text", text: "shot taken" }, { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" } }], isError: true },
            ],
          },
        ],
      }),
      { model: "claude", streamUsage: false },
    ).body.messages as { content: unknown[] }[];
    expect(mixed[0].content[0]).toEqual({
      type: "tool_result",
      tool_use_id: "t1",
      content: [{ type: "text", text: "shot taken" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } }],
      is_error: true,
    });
    expect(mixed[0].content[1]).toEqual({ type: "text", text: "look at this" });
  });

  it("turns data URLs into base64 image sources and keeps other URLs as URL sources", () => {
    const request = openai.parseRequest({
      model: "gpt",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }, { type: "text", text: "Same cat?" }] }],
    });
    const content = (anthropic.encodeRequest(request, { model: "claude", streamUsage: false }).body.messages as { content: unknown[] }[])[0].content;
    expect(content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
      { type: "text", text: "Same cat?" },
    ]);
    // And back: an Anthropic client's base64 image reaches an OpenAI model as a data URL.
    const back = openai.encodeRequest(anthropic.parseRequest({ model: "c", max_tokens: 10, messages: [{ role: "user", content: content as never }] }), { model: "gpt", streamUsage: false });
    expect((back.body.messages as { content: { image_url?: { url: string } }[] }[])[0].content[0].image_url?.url).toBe("data:image/jpeg;base64,/9j/4AAQ");
  });

  it("maps a json_schema response format to output_config.format, schema unchanged", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const request = openai.parseRequest({ model: "gpt", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_schema", json_schema: { name: "place", schema, strict: true } } });
    const { body } = anthropic.encodeRequest(request, { model: "claude", streamUsage: false });
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
    // And an Anthropic client's format reaches OpenAI as a json_schema response_format.
    const back = openai.encodeRequest(anthropic.parseRequest({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "hi" }], output_config: { format: { type: "json_schema", schema } } }), { model: "gpt", streamUsage: false });
    expect(back.body.response_format).toEqual({ type: "json_schema", json_schema: { name: "response", schema } });
  });

  it("maps stop, user, a default max_tokens, parallel tool calls and reasoning effort; drops what Anthropic has no field for", () => {
    const { body, dropped } = anthropic.encodeRequest(
      neutral({
        stop: ["END"],
        user: "user-7",
        seed: 3,
        frequencyPenalty: 0.5,
        presencePenalty: 0.1,
        parallelToolCalls: false,
        tools: [{ name: "t", parameters: { type: "object" } }],
        reasoning: { effort: "minimal" },
      }),
      { model: "claude", streamUsage: false, defaultMaxTokens: 4000 },
    );
    expect(body).toMatchObject({
      max_tokens: 4000,
      stop_sequences: ["END"],
      metadata: { user_id: "user-7" },
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      // Anthropic has no `minimal` effort; its lightest is `low`.
      output_config: { effort: "low" },
    });
    expect(dropped).toEqual(expect.arrayContaining(["seed", "frequency_penalty", "presence_penalty"]));
    expect(anthropic.encodeRequest(neutral(), { model: "claude", streamUsage: false }).body.max_tokens).toBe(8192);
    expect(anthropic.encodeRequest(neutral({ reasoning: { budgetTokens: 2048 } }), { model: "c", streamUsage: false }).body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(anthropic.encodeRequest(neutral({ reasoning: { disabled: true } }), { model: "c", streamUsage: false }).body.thinking).toEqual({ type: "disabled" });
  });

  it("sends a plain-text document as Anthropic's text source (base64 is for PDFs only), a PDF as base64", () => {
    const request = openai.parseRequest({
      model: "gpt",
      messages: [
        {
          role: "user",
          content: [
            { type: "file", file: { filename: "notes.txt", file_data: "data:text/plain;base64,SGVsbG8sIFrDvHJpY2g=" } },
            { type: "file", file: { filename: "paper.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } },
          ],
        },
      ],
    });
    const content = (anthropic.encodeRequest(request, { model: "claude", streamUsage: false }).body.messages as { content: unknown[] }[])[0].content;
    expect(content).toEqual([
      { type: "document", source: { type: "text", media_type: "text/plain", data: "Hello, Zürich" }, title: "notes.txt" },
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" }, title: "paper.pdf" },
    ]);
  });

  it("refuses what would change the meaning: arguments that are not an object", () => {
    const error = thrown(() =>
      anthropic.encodeRequest(neutral({ messages: [{ role: "assistant", content: [{ type: "tool_call", id: "c1", name: "f", arguments: "not json" }] }] }), { model: "c", streamUsage: false })
    );
    expect(error.status).toBe(400);
    expect(error.message).toContain("c1");
  });
});

describe("Anthropic requests in neutral form (Anthropic client → another format)", () => {
  it("keeps cache_control, thinking signatures and is_error; reports what has no neutral form", () => {
    const request = anthropic.parseRequest({
      model: "claude",
      max_tokens: 100,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [
        { role: "user", content: "Run it" },
        { role: "assistant", content: [{ type: "thinking", thinking: "hmm", signature: "sig" }, { type: "tool_use", id: "t1", name: "run", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "exit 1" }], is_error: true }] },
      ],
      top_k: 5,
      container: "c1",
      mcp_servers: [],
      service_tier: "auto",
      metadata: { user_id: "u1" },
    });
    expect(request.system).toEqual([{ type: "text", text: "Be brief.", cache: { type: "ephemeral", ttl: "1h" } }]);
    expect(request.messages[1].content[0]).toEqual({ type: "thinking", text: "hmm", signature: "sig" });
    expect(request.messages[2].content[0]).toEqual({ type: "tool_result", callId: "t1", content: [{ type: "text", text: "exit 1" }], isError: true });
    expect(request.topK).toBe(5);
    expect(request.user).toBe("u1");
    expect(request.dropped).toEqual(["container", "mcp_servers", "service_tier"]);
  });

  it("refuses server tools, naming the tool", () => {
    const error = thrown(() =>
      anthropic.parseRequest({ model: "claude", max_tokens: 100, messages: [{ role: "user", content: "x" }], tools: [{ type: "web_search_20250305", name: "web_search" }] })
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe("tools[0]");
    expect(error.message).toContain("web_search");
    const bash = thrown(() => anthropic.parseRequest({ model: "claude", max_tokens: 100, messages: [{ role: "user", content: "x" }], tools: [{ type: "bash_20250124", name: "bash" }] }));
    expect(bash.message).toContain("bash");
  });

  it("reads thinking and effort: enabled is a budget, disabled is off, effort travels as the OpenAI effort", () => {
    const parse = (extra: Record<string, unknown>) => anthropic.parseRequest({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }], ...extra }).reasoning;
    expect(parse({ thinking: { type: "enabled", budget_tokens: 2048 } })).toEqual({ budgetTokens: 2048 });
    expect(parse({ thinking: { type: "disabled" } })).toEqual({ disabled: true });
    expect(parse({ thinking: { type: "adaptive" }, output_config: { effort: "high" } })).toEqual({ effort: "high" });
    expect(parse({})).toBeNull();
    const chat = openai.encodeRequest(anthropic.parseRequest({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }], thinking: { type: "adaptive" }, output_config: { effort: "high" } }), { model: "o3", streamUsage: false });
    expect(chat.body.reasoning_effort).toBe("high");
  });

  it("validates what the gateway relies on, naming the field in a 400", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ messages: [{ role: "user", content: "x" }], max_tokens: 10 }, "model"],
      [{ model: "a\nb", messages: [{ role: "user", content: "x" }], max_tokens: 10 }, "model"],
      [{ model: "c", messages: [], max_tokens: 10 }, "messages"],
      [{ model: "c", messages: [{ content: "x" }], max_tokens: 10 }, "messages[0].role"],
      [{ model: "c", messages: [{ role: "user", content: "x" }] }, "max_tokens"],
      [{ model: "c", messages: [{ role: "user", content: "x" }], max_tokens: 0 }, "max_tokens"],
      [{ model: "c", messages: [{ role: "user", content: "x" }], max_tokens: 1.5 }, "max_tokens"],
      [{ model: "c", messages: [{ role: "user", content: "x" }], max_tokens: 10, stream: "yes" }, "stream"],
    ];
    for (const [body, param] of cases) {
      const error = thrown(() => anthropic.validate(body));
      expect(error.status, JSON.stringify(body)).toBe(400);
      expect(error.param, JSON.stringify(body)).toBe(param);
      expect(error.message).toContain(`'${param}'`);
    }
  });
});

describe("Anthropic streams from neutral events", () => {
  const start: StreamEvent = { type: "start", id: "chatcmpl-1", model: "gpt-4o-mini", usage: null };

  function encode(events: StreamEvent[]): { text: string; parts: string[] } {
    const writer = anthropic.streamEncoder({ model: "claude-alias", max_tokens: 100, messages: [] });
    const parts = events.map((event) => writer.encode(event));
    parts.push(writer.end());
    return { text: parts.join(""), parts };
  }

  function dataOf(text: string): { event: string; data: Record<string, unknown> }[] {
    return text.split("\n\n").filter((chunk) => chunk.length > 0).map((chunk) => {
      const [event, data] = chunk.split("\n");
      return { event: event.slice("event: ".length), data: JSON.parse(data.slice("data: ".length)) };
    });
  }

  it("holds an OpenAI-style finish (before its usage) so message_delta carries the final usage, input tokens included", () => {
    const { text, parts } = encode([
      start,
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "text", index: 0, text: "Hi" },
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "stop", stopSequence: null },
      { type: "usage", usage: usage(12, 3, 4) },
      { type: "done" },
    ]);
    // Nothing is written for the finish itself: it waits for the usage.
    expect(parts[4]).toBe("");
    const events = dataOf(text);
    expect(events.map((e) => e.event)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(events[0].data.message).toMatchObject({ model: "gpt-4o-mini", usage: { input_tokens: 0, output_tokens: 0 } });
    expect(events[4].data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 8, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 3 },
    });
  });

  it("numbers blocks from 0, closes an open block before the next, and maps a tool call to tool_use with input_json_delta", () => {
    const { text } = encode([
      start,
      { type: "block_start", index: 0, block: { type: "tool_call", id: "call_1", name: "weather" } },
      { type: "tool_args", index: 0, json: '{"city":' },
      { type: "block_start", index: 1, block: { type: "tool_call", id: "call_2", name: "weather" } },
      { type: "tool_args", index: 1, json: '{"city":"Rome"}' },
      { type: "tool_args", index: 0, json: '"Paris"}' },
      { type: "finish", reason: "tool_calls", stopSequence: null },
      { type: "done" },
    ]);
    const events = dataOf(text);
    expect(events.map((e) => `${e.event}${e.data.index ?? ""}`)).toEqual([
      "message_start",
      "content_block_start0",
      "content_block_delta0",
      "content_block_stop0",
      "content_block_start1",
      "content_block_delta1",
      "content_block_delta0",
      "content_block_stop1",
      "message_delta",
      "message_stop",
    ]);
    expect(events[1].data.content_block).toEqual({ type: "tool_use", id: "call_1", name: "weather", input: {} });
    expect(events[8].data.delta).toEqual({ stop_reason: "tool_use", stop_sequence: null });
    // The decoder reads it back: the same calls, arguments whole.
    const back = decodeStream(anthropic, [encoder.encode(text)]);
    const args = new Map<number, string>();
    for (const e of back) if (e.type === "tool_args") args.set(e.index, (args.get(e.index) ?? "") + e.json);
    expect([...args.values()].map((json) => JSON.parse(json))).toEqual([{ city: "Paris" }, { city: "Rome" }]);
  });

  it("writes a gateway error mid-stream as Anthropic's error event", () => {
    const text = anthropic.streamEncoder({}).error(new GatewayError({ status: 529, message: "busy", type: "overloaded_error" }));
    expect(text).toBe('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"busy"}}\n\n');
  });
});

describe("Anthropic pass-through", () => {
  it("splices only the model into the client's text: cache_control, unknown fields, key order and number spellings survive", () => {
    const text = '{ "max_tokens" : 1.0e3, "model":"alias", "system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral","ttl":"1h"}}],\n"messages":[{"role":"user","content":"hi"}], "future": {"x": 1.50} }';
    const body = JSON.parse(text) as Record<string, unknown>;
    const out = anthropic.passthroughBody(text, body, { model: "claude-sonnet-4-5-20250929", streamUsage: true });
    expect(out).toBe(text.replace('"model":"alias"', '"model":"claude-sonnet-4-5-20250929"'));
    expect(anthropic.passthroughBody(text, body, { model: "alias", streamUsage: true })).toBe(text);
    expect(anthropic.addsStreamUsage(body)).toBe(false);
  });

  it("reads usage from the top-level member only: a usage object inside a tool input cannot fool it", () => {
    const text = JSON.stringify({
      id: "msg_1",
      type: "message",
      usage: { input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 2 },
      content: [{ type: "tool_use", id: "t", name: "report", input: { usage: { input_tokens: 999, output_tokens: 999 } } }],
      text: 'a "usage": {"input_tokens": 7} inside a string',
    });
    expect(anthropic.usageOf(text)).toEqual(usage(105, 2, 100));
  });

  it("picks usage from message_start and message_delta, and error events, out of a stream it forwards unchanged", () => {
    const stream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":10,"cache_creation_input_tokens":50,"output_tokens":1}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\"usage\\": {"}}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\n',
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    ].join("");
    const scanner = anthropic.scanner(false);
    const bytes = encoder.encode(stream);
    for (let i = 0; i < bytes.length; i += 7) expect(scanner.push(bytes.subarray(i, i + 7))).toEqual(bytes.subarray(i, i + 7));
    scanner.end();
    expect(scanner.usage).toEqual(usage(60, 9, 0, 50));
    expect(scanner.upstreamError).toEqual({ type: "overloaded_error", message: "Overloaded" });
  });
});

describe("Anthropic errors and estimates", () => {
  it("renders gateway errors with Anthropic's type for their status, an Anthropic type already on the error winning", () => {
    const render = (options: ConstructorParameters<typeof GatewayError>[0]) => {
      const rendered = anthropic.renderError(new GatewayError(options), "req_7");
      return { status: rendered.status, ...(JSON.parse(rendered.body) as { type: string; error: Record<string, unknown>; request_id?: string }) };
    };
    expect(render({ status: 400, message: "bad", param: "x" })).toEqual({ status: 400, type: "error", error: { type: "invalid_request_error", message: "bad" }, request_id: "req_7" });
    expect(render({ status: 401, message: "m" }).error).toEqual({ type: "authentication_error", message: "m" });
    expect(render({ status: 403, message: "m" }).error).toMatchObject({ type: "permission_error" });
    expect(render({ status: 404, message: "m", code: "model_not_found" }).error).toMatchObject({ type: "not_found_error" });
    expect(render({ status: 413, message: "m" }).error).toMatchObject({ type: "request_too_large" });
    expect(render({ status: 429, message: "m", type: "insufficient_quota" }).error).toMatchObject({ type: "rate_limit_error" });
    expect(render({ status: 504, message: "m", type: "timeout_error" }).error).toMatchObject({ type: "timeout_error" });
    expect(render({ status: 529, message: "m", type: "overloaded_error" })).toMatchObject({ status: 529, error: { type: "overloaded_error" } });
    expect(render({ status: 502, message: "m" }).error).toMatchObject({ type: "api_error" });
  });

  it("estimates input tokens at about four characters a token over system, messages and tools", () => {
    const body = {
      model: "c",
      max_tokens: 10,
      system: "x".repeat(400),
      messages: [{ role: "user", content: [{ type: "text", text: "y".repeat(800) }, { type: "tool_result", tool_use_id: "t", content: "z".repeat(400) }] }],
      tools: [{ name: "t", input_schema: { type: "object" } }],
    };
    const estimate = anthropic.estimateInputTokens(body);
    expect(estimate).toBeGreaterThanOrEqual(400);
    expect(estimate).toBeLessThan(440);
    expect(anthropic.maxOutputTokens(body)).toBe(10);
  });

  it("estimates a body nested as deep as the gateway's parser lets through without overflowing", () => {
    // core/body.ts refuses bodies nested deeper than 128 levels before any estimate runs.
    let input: unknown = "leaf";
    for (let i = 0; i < 120; i++) input = { a: [input] };
    const body = { model: "c", max_tokens: 10, messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input }] }] };
    expect(anthropic.estimateInputTokens(body)).toBeGreaterThan(0);
  });
});
