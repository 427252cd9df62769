import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { CanonicalRequest, StreamEvent } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import { openai } from "../../dialects/openai/index.ts";
import { neutralRequest } from "../../testing/index.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

function neutral(overrides: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return neutralRequest({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], ...overrides });
}

describe("OpenAI dialect: requests", () => {
  it("parses leading system messages into the system prompt, later ones in place, tool results into user messages", () => {
    const request = openai.parseRequest({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR", detail: "low" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }, { id: "c2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } }] },
        { role: "tool", tool_call_id: "c1", content: "18C" },
        { role: "tool", tool_call_id: "c2", content: [{ type: "text", text: "21C" }] },
        { role: "developer", content: "Use Celsius." },
      ],
      tools: [{ type: "function", function: { name: "weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      max_completion_tokens: 300,
      stop: "END",
      response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object" }, strict: true } },
      reasoning_effort: "low",
      logprobs: true,
      user: "u-1",
    });
    expect(request.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }, { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBOR" }, detail: "low" }] },
      { role: "assistant", content: [{ type: "tool_call", id: "c1", name: "weather", arguments: '{"city":"Paris"}' }, { type: "tool_call", id: "c2", name: "weather", arguments: '{"city":"Rome"}' }] },
      { role: "user", content: [{ type: "tool_result", callId: "c1", content: [{ type: "text", text: "18C" }], isError: false }, { type: "tool_result", callId: "c2", content: [{ type: "text", text: "21C" }], isError: false }] },
      { role: "system", content: [{ type: "text", text: "Use Celsius." }] },
    ]);
    expect(request.tools).toEqual([{ name: "weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } }, strict: true }]);
    expect(request).toMatchObject({
      toolChoice: { type: "required" },
      parallelToolCalls: false,
      maxTokens: 300,
      stop: ["END"],
      responseFormat: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true },
      reasoning: { effort: "low" },
      user: "u-1",
      dropped: ["logprobs"],
    });
  });

  it.each([
    [{ n: 2 }, "n"],
    [{ modalities: ["text", "audio"], audio: { voice: "alloy" } }, "modalities"],
    [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }] }, "messages[0].content[0]"],
    [{ messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-1" } }] }] }, "messages[0].content[0].file"],
    [{ tools: [{ type: "custom", custom: { name: "x" } }] }, "tools[0]"],
  ])("refuses what translation would change the meaning of (%j)", (extra, param) => {
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], ...extra };
    let thrown: unknown;
    try {
      openai.parseRequest(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).param).toBe(param);
  });

  it("encodes tool results as tool messages right after the call, images a tool returned in a user message after them", () => {
    const { body, dropped } = openai.encodeRequest(
      neutral({
        system: [{ type: "text", text: "A" }, { type: "text", text: "B" }],
        messages: [
          { role: "user", content: [{ type: "text", text: "look" }] },
          { role: "assistant", content: [{ type: "thinking", text: "hmm", signature: "sig" }, { type: "text", text: "Looking." }, { type: "tool_call", id: "t1", name: "shot", arguments: "{}" }] },
          {
            role: "user",
            content: [
              { type: "tool_result", callId: "t1", content: [{ type: "text", text: "taken" }, { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "AAA" } }], isError: false },
              { type: "text", text: "what is it?" },
            ],
          },
        ],
        tools: [{ name: "shot", parameters: { type: "object" } }],
        toolChoice: { type: "tool", name: "shot" },
        maxTokens: 1024,
        topK: 40,
        stop: ["x"],
        stream: true,
        reasoning: { budgetTokens: 2048 },
      }),
      { model: "gpt-4o-mini", streamUsage: true },
    );
    expect(body.messages).toEqual([
      { role: "system", content: "A\n\nB" },
      { role: "user", content: "look" },
      { role: "assistant", content: "Looking.", tool_calls: [{ id: "t1", type: "function", function: { name: "shot", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "t1", content: "taken" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,AAA" } }, { type: "text", text: "what is it?" }] },
    ]);
    expect(body).toMatchObject({
      model: "gpt-4o-mini",
      tool_choice: { type: "function", function: { name: "shot" } },
      max_completion_tokens: 1024,
      stop: ["x"],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(body.reasoning_effort).toBeUndefined();
    expect([...dropped].sort()).toEqual(["reasoning", "thinking", "top_k"]);
  });

  it("maps an explicit reasoning effort, and marks a failed tool result", () => {
    const { body } = openai.encodeRequest(
      neutral({
        reasoning: { effort: "max" },
        messages: [{ role: "user", content: [{ type: "tool_result", callId: "a", content: [{ type: "text", text: "boom" }], isError: true }] }],
      }),
      { model: "o3", streamUsage: false },
    );
    expect(body.reasoning_effort).toBe("xhigh");
    expect(body.messages).toEqual([{ role: "tool", tool_call_id: "a", content: "Error: boom" }]);
  });

  it("splices only the model and the stream-usage option into the client's text", () => {
    const text = '{"model":"alias","stream":true,"n":1.0,"messages":[{"role":"user","content":"x"}]}';
    const body = JSON.parse(text);
    expect(openai.passthroughBody(text, body, { model: "alias", streamUsage: false })).toBe(text);
    expect(openai.passthroughBody(text, body, { model: "real", streamUsage: true })).toBe(
      '{"model":"real","stream":true,"n":1.0,"messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}',
    );
    const withOptions = '{"model":"m","stream":true,"stream_options":{"include_obfuscation":false},"messages":[]}';
    expect(openai.passthroughBody(withOptions, JSON.parse(withOptions), { model: "m", streamUsage: true })).toBe(
      '{"model":"m","stream":true,"stream_options":{"include_obfuscation":false,"include_usage":true},"messages":[]}',
    );
  });
});

const STREAM = [
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: { content: "Héllo " }, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "weather", arguments: "" } }] }, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, finish_reason: null }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
  { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o", choices: [], usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29, prompt_tokens_details: { cached_tokens: 4 } } },
];
const STREAM_TEXT = STREAM.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join("") + "data: [DONE]\r\n\r\n";

const EXPECTED_EVENTS: StreamEvent[] = [
  { type: "start", id: "chatcmpl-1", model: "gpt-4o", usage: null },
  { type: "block_start", index: 0, block: { type: "text" } },
  { type: "text", index: 0, text: "Héllo " },
  { type: "block_stop", index: 0 },
  { type: "block_start", index: 1, block: { type: "tool_call", id: "call_1", name: "weather" } },
  { type: "tool_args", index: 1, json: '{"city":' },
  { type: "tool_args", index: 1, json: '"Paris"}' },
  { type: "block_stop", index: 1 },
  { type: "finish", reason: "tool_calls", stopSequence: null },
  { type: "usage", usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29, cachedTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 } },
  { type: "done" },
];

function decodeAll(chunks: Uint8Array[]): StreamEvent[] {
  const decoder = openai.streamDecoder();
  const events: StreamEvent[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

describe("OpenAI dialect: streams", () => {
  it("decodes chunks into neutral blocks, whatever the chunking (every byte apart)", () => {
    const all = bytes(STREAM_TEXT);
    expect(decodeAll([all])).toEqual(EXPECTED_EVENTS);
    expect(decodeAll([...all].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED_EVENTS);
  });

  it("yields no `done` for a stream cut before its finish", () => {
    const cut = bytes(STREAM_TEXT.slice(0, STREAM_TEXT.indexOf("Paris")));
    expect(decodeAll([cut]).some((event) => event.type === "done")).toBe(false);
  });

  it("encodes neutral events into a stream the official SDK reads back whole", async () => {
    const events = EXPECTED_EVENTS;
    const streamEncoder = openai.streamEncoder({ model: "x", messages: [], stream: true, stream_options: { include_usage: true } });
    const sse = events.map((event) => streamEncoder.encode(event)).join("") + streamEncoder.end();
    const client = new OpenAI({
      apiKey: "test",
      baseURL: "http://gateway.test/v1",
      fetch: async () => new Response(sse, { headers: { "content-type": "text/event-stream" } }),
    });
    const stream = client.chat.completions.stream({ model: "x", messages: [{ role: "user", content: "hi" }] });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].message.content).toBe("Héllo ");
    expect(final.choices[0].message.tool_calls).toMatchObject([{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } }]);
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 4 } });
  });

  it("sends usage only to a client that asked for it, and errors as chunks the SDK raises", async () => {
    const plain = openai.streamEncoder({ model: "x", messages: [] });
    const text = EXPECTED_EVENTS.map((event) => plain.encode(event)).join("") + plain.end();
    expect(text).not.toContain('"usage"');
    const failing = plain.error(new GatewayError({ status: 502, message: "broke", code: "upstream_stream_error" }));
    const client = new OpenAI({ apiKey: "t", fetch: async () => new Response(`${plain.encode(EXPECTED_EVENTS[0])}${failing}`, { headers: { "content-type": "text/event-stream" } }) });
    const stream = await client.chat.completions.create({ model: "x", messages: [{ role: "user", content: "hi" }], stream: true });
    await expect((async () => {
      for await (const _ of stream) void _;
    })()).rejects.toThrow("broke");
  });
});

describe("OpenAI dialect: answers and errors", () => {
  it("round-trips a whole answer with reasoning text, tool calls and usage", () => {
    const text = JSON.stringify({
      id: "chatcmpl-9",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "deepseek-reasoner",
      choices: [{ index: 0, message: { role: "assistant", content: "Sure.", reasoning_content: "think", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"a":1}' } }] }, finish_reason: "tool_calls" }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, completion_tokens_details: { reasoning_tokens: 3 } },
    });
    const parsed = openai.parseResponse(text);
    expect(parsed.content).toEqual([{ type: "thinking", text: "think", signature: null }, { type: "text", text: "Sure." }, { type: "tool_call", id: "c", name: "f", arguments: '{"a":1}' }]);
    expect(parsed.finish).toBe("tool_calls");
    expect(openai.parseResponse(openai.encodeResponse(parsed, {}))).toEqual(parsed);
    expect(openai.usageOf(text)).toEqual(parsed.usage);
  });

  it("reads the error shapes OpenAI-compatible servers send", () => {
    expect(openai.parseError('{"error":{"message":"bad","type":"invalid_request_error","param":"x","code":"c"}}')).toEqual({ type: "invalid_request_error", message: "bad", code: "c", param: "x" });
    expect(openai.parseError('{"error":"model not found"}')).toMatchObject({ message: "model not found" });
    expect(openai.parseError('{"detail":"Not Found"}')).toMatchObject({ message: "Not Found" });
    expect(openai.parseError("<html>")).toBeNull();
  });

  it("renders any gateway error in OpenAI's shape, 529 as 503", () => {
    const rendered = openai.renderError(new GatewayError({ status: 529, message: "busy", type: "overloaded_error", code: "upstream_overloaded" }));
    expect(rendered.status).toBe(503);
    expect(JSON.parse(rendered.body)).toEqual({ error: { message: "busy", type: "server_error", code: "upstream_overloaded", param: null } });
  });
});
