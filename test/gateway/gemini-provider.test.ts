/**
 * The `gemini` provider through the gateway, judged by the clients in front of it: the official
 * `openai` SDK (chat JSON, a stream with usage, tool calls, embeddings), `client.responses.create`
 * (JSON, stream, a function tool) and the Vercel AI SDK's default OpenAI provider
 * (`createOpenAI({ baseURL })(model)`: generateText, streamText, a tool call), each in front of the
 * mock Gemini upstream, which speaks the real wire format; and the Anthropic SDK there too.
 */
import Anthropic from "@anthropic-ai/sdk";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { definePlugin, type RequestContext } from "../../core/index.ts";
import { route } from "../../plugins/index.ts";
import { gemini } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const UPSTREAM_KEY = "gemini-upstream-key-0001";
const REPLY = (said: string) => `This is a mock reply from Switchyard. You said: "${said}"`;
const PATH = (method: string) => `/v1beta/models/gemini-2.5-flash:${method}`;

async function setup() {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY });
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: { google: gemini({ baseURL: "http://upstream.test/v1beta", apiKey: UPSTREAM_KEY }) },
    plugins: [
      route({ models: { flash: [{ provider: "google", model: "gemini-2.5-flash" }], embedder: [{ provider: "google", model: "text-embedding-004" }] } }),
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const client = new OpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  const ai = createOpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch });
  return { gateway, upstream, seen, client, ai };
}

const chatTool: OpenAI.Chat.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } },
};

describe("the official openai SDK in front of Gemini", () => {
  it("chat JSON: the answer, usage and headers; the upstream got a generateContent body with the key in x-goog-api-key", async () => {
    const { client, upstream, seen, gateway } = await setup();
    const { data, response } = await client.chat.completions.create({
      model: "flash",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello Gemini" }],
      temperature: 0.2,
      max_tokens: 200,
    }).withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0].message.content).toBe(REPLY("Hello Gemini"));
    expect(data.choices[0].finish_reason).toBe("stop");
    expect(data.usage?.completion_tokens).toBe(Math.ceil(REPLY("Hello Gemini").length / 4));
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-provider")).toBe("google");
    const call = upstream.calls[0];
    expect(call.path).toBe(PATH("generateContent"));
    expect(call.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
    expect(call.headers.authorization).toBeUndefined();
    expect(call.body).toEqual({
      contents: [{ role: "user", parts: [{ text: "Hello Gemini" }] }],
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 200, temperature: 0.2 },
    });
    await gateway.drain(1000);
    expect(seen[0].usage).toMatchObject({ outputTokens: data.usage?.completion_tokens, inputTokens: data.usage?.prompt_tokens });
  });

  it("a stream with usage: deltas join to the answer and the last chunk carries usage", async () => {
    const { client, upstream, seen, gateway } = await setup();
    const stream = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "Stream from Gemini" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    let finish: string | null = null;
    let deltas = 0;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        deltas++;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toBeGreaterThan(1);
    expect(text).toBe(REPLY("Stream from Gemini"));
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(Math.ceil(text.length / 4));
    expect(upstream.calls[0].path).toBe(PATH("streamGenerateContent"));
    await gateway.drain(1000);
    expect(seen[0].usage?.outputTokens).toBe(usage?.completion_tokens);
  });

  it("tool calls: a function call comes back as tool_calls, and its result goes up as a functionResponse", async () => {
    const { client, upstream } = await setup();
    const first = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "Weather in Paris?" }], tools: [chatTool], tool_choice: "required" });
    const call = first.choices[0].message.tool_calls?.[0];
    expect(first.choices[0].finish_reason).toBe("tool_calls");
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("no call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ query: "Weather in Paris?" });
    expect(upstream.calls[0].body).toMatchObject({
      tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather for a city", parametersJsonSchema: chatTool.function.parameters }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
    });

    const second = await client.chat.completions.create({
      model: "flash",
      tools: [chatTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "Sunny, 21C" },
      ],
    });
    expect(second.choices[0].message.content).toBe(REPLY("Weather in Paris?"));
    expect(upstream.calls[1].body).toMatchObject({
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris?" }] },
        { role: "model", parts: [{ functionCall: { id: call.id, name: "get_weather", args: { query: "Weather in Paris?" } } }] },
        { role: "user", parts: [{ functionResponse: { id: call.id, name: "get_weather", response: { result: "Sunny, 21C" } } }] },
      ],
    });
  });

  it("streams a tool call as tool_calls deltas", async () => {
    const { client } = await setup();
    const stream = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "Weather?" }], tools: [chatTool], stream: true });
    let args = "";
    let name = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      for (const call of delta?.tool_calls ?? []) {
        if (call.function?.name) name = call.function.name;
        args += call.function?.arguments ?? "";
      }
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual({ query: "Weather?" });
    expect(finish).toBe("tool_calls");
  });

  it("a safety block is a content_filter finish, in JSON and in a stream", async () => {
    const { client, upstream } = await setup();
    const blocked = JSON.stringify({ promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH" }] }, usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, modelVersion: "gemini-2.5-flash" });
    upstream.fail({ status: 200, body: blocked });
    const json = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "something unsafe" }] });
    expect(json.choices[0].finish_reason).toBe("content_filter");
    expect(json.choices[0].message.content).toBeNull();

    const candidate = { content: { parts: [{ text: "I started to" }], role: "model" }, finishReason: "SAFETY", index: 0, safetyRatings: [{ category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true }] };
    upstream.fail({ status: 200, headers: { "content-type": "text/event-stream" }, body: `data: ${JSON.stringify({ candidates: [candidate], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 }, modelVersion: "gemini-2.5-flash", responseId: "r1" })}\r\n\r\n` });
    const stream = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "something unsafe" }], stream: true });
    let finish: string | null = null;
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("I started to");
    expect(finish).toBe("content_filter");
  });

  it("upstream failures come back in the OpenAI shape: a wrong upstream key is the gateway's fault (502), a 429 stays a 429", async () => {
    const { client, upstream } = await setup();
    upstream.fail({ status: 429, body: JSON.stringify({ error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }] } }) });
    const limited = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.message).toContain("Quota exceeded");
    expect(limited.headers.get("retry-after")).toBe("7");

    upstream.fail({ status: 400, body: JSON.stringify({ error: { code: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT", details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }] } }) });
    const badKey = await client.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(badKey.status).toBe(502);
  });

  it("embeddings become a batchEmbedContents call, float and base64 alike", async () => {
    const { client, upstream } = await setup();
    const floats = await client.embeddings.create({ model: "embedder", input: ["alpha", "beta"], encoding_format: "float", dimensions: 8 });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0].embedding).toHaveLength(8);
    expect(upstream.calls[0].path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(upstream.calls[0].body).toEqual({ requests: [{ model: "models/text-embedding-004", content: { parts: [{ text: "alpha" }] }, outputDimensionality: 8 }, { model: "models/text-embedding-004", content: { parts: [{ text: "beta" }] }, outputDimensionality: 8 }] });
    // The SDK asks for base64 by default and decodes it.
    const decoded = await client.embeddings.create({ model: "embedder", input: "alpha", dimensions: 8 });
    expect(decoded.data[0].embedding).toEqual(floats.data[0].embedding);
  });
});

const responsesTool: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe("client.responses.create in front of Gemini", () => {
  it("JSON, then a function call and its output", async () => {
    const { client, upstream } = await setup();
    const first = await client.responses.create({ model: "flash", instructions: "Be brief.", input: "Hello there" });
    expect(first.status).toBe("completed");
    expect(first.output_text).toBe(REPLY("Hello there"));
    expect(first.usage?.output_tokens).toBeGreaterThan(0);
    expect(upstream.calls[0].path).toBe(PATH("generateContent"));

    const called = await client.responses.create({ model: "flash", input: "Weather in Paris?", tools: [responsesTool] });
    const call = called.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error("no call");
    expect(JSON.parse(call.arguments)).toEqual({ query: "Weather in Paris?" });
    const answered = await client.responses.create({
      model: "flash",
      tools: [responsesTool],
      input: [{ role: "user", content: "Weather in Paris?" }, { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: "function_call_output", call_id: call.call_id, output: "18C" }],
    });
    expect(answered.output_text).toBe(REPLY("Weather in Paris?"));
    expect(upstream.calls[2].body).toMatchObject({ contents: [{}, {}, { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "18C" } } }] }] });
  });

  it("streams typed events, text and a function call", async () => {
    const { client } = await setup();
    const stream = client.responses.stream({ model: "flash", input: "Stream to me" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.output_text).toBe(REPLY("Stream to me"));
    expect(final.usage?.output_tokens).toBeGreaterThan(0);

    const types: string[] = [];
    let args = "";
    for await (const event of await client.responses.create({ model: "flash", input: "Weather?", tools: [responsesTool], stream: true })) {
      types.push(event.type);
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(JSON.parse(args)).toEqual({ query: "Weather?" });
  });
});

describe("the Vercel AI SDK's default OpenAI provider in front of Gemini", () => {
  it("generateText and streamText", async () => {
    const { ai, upstream } = await setup();
    const { text, usage } = await generateText({ model: ai("flash"), prompt: "Hello AI SDK" });
    expect(text).toBe(REPLY("Hello AI SDK"));
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(upstream.calls[0].path).toBe(PATH("generateContent"));
    const streamed = streamText({ model: ai("flash"), prompt: "Stream AI SDK" });
    const parts: string[] = [];
    for await (const part of streamed.textStream) parts.push(part);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.join("")).toBe(REPLY("Stream AI SDK"));
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
  });

  it("a tool call, executed and answered in a second step", async () => {
    const { ai } = await setup();
    const calls: unknown[] = [];
    const result = await generateText({
      model: ai("flash"),
      prompt: "Weather in Oslo?",
      tools: { get_weather: tool({ description: "Weather for a city", inputSchema: z.object({ query: z.string() }), execute: async (input) => (calls.push(input), "12C") }) },
      stopWhen: stepCountIs(2),
    });
    expect(calls).toEqual([{ query: "Weather in Oslo?" }]);
    expect(result.steps[0].toolCalls[0]).toMatchObject({ toolName: "get_weather" });
    expect(result.text).toBe(REPLY("Weather in Oslo?"));
  });
});

describe("the Anthropic SDK in front of Gemini", () => {
  it("messages.create and messages.stream, and a tool round trip", async () => {
    const { gateway, upstream } = await setup();
    const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
    const claude = new Anthropic({ apiKey: "client-key", baseURL: "http://gateway.test", fetch, maxRetries: 0 });
    const message = await claude.messages.create({ model: "flash", max_tokens: 200, system: "Be brief.", messages: [{ role: "user", content: "Hello from Claude" }] });
    expect(message.content).toEqual([{ type: "text", text: REPLY("Hello from Claude") }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(upstream.calls[0].body).toMatchObject({ systemInstruction: { parts: [{ text: "Be brief." }] }, generationConfig: { maxOutputTokens: 200 } });
    const streamed = await claude.messages.stream({ model: "flash", max_tokens: 200, messages: [{ role: "user", content: "Stream from Claude" }] }).finalMessage();
    expect(streamed.content).toEqual([{ type: "text", text: REPLY("Stream from Claude") }]);
    expect(streamed.usage.output_tokens).toBeGreaterThan(0);

    const tools = [{ name: "lookup", description: "Look it up", input_schema: { type: "object" as const, properties: { q: { type: "string" } } } }];
    const first = await claude.messages.create({ model: "flash", max_tokens: 200, tools, messages: [{ role: "user", content: "Find it" }] });
    const use = first.content.find((block) => block.type === "tool_use");
    expect(first.stop_reason).toBe("tool_use");
    if (use?.type !== "tool_use") throw new Error("no tool_use");
    const second = await claude.messages.create({
      model: "flash",
      max_tokens: 200,
      tools,
      messages: [{ role: "user", content: "Find it" }, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "found" }] }],
    });
    expect(second.content).toEqual([{ type: "text", text: REPLY("Find it") }]);
    expect(upstream.calls.at(-1)?.body).toMatchObject({ contents: [{}, { role: "model" }, { role: "user", parts: [{ functionResponse: { id: use.id, name: "lookup", response: { result: "found" } } }] }] });
  });
});
