/**
 * `/v1/responses` through the gateway, judged by the clients that speak it: the official `openai`
 * SDK's `client.responses.create` (JSON and stream, with a function tool) and the Vercel AI SDK's
 * default OpenAI provider (`createOpenAI({ baseURL })(model)`: generateText, streamText, a tool
 * call). In front of an OpenAI chat upstream and an Anthropic one (translated), and of a Responses
 * upstream (passed through).
 */
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { definePlugin, type RequestContext } from "../../core/index.ts";
import { route } from "../../plugins/index.ts";
import { anthropic, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const UPSTREAM_KEY = "sk-upstream-responses-0001";
const REPLY = (said: string) => `This is a mock reply from Switchyard. You said: "${said}"`;

async function setup() {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY });
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      chat: openai({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
      native: openai({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY, responses: "native" }),
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
    },
    plugins: [
      route({ models: { "on-chat": [{ provider: "chat", model: "gpt-4o-mini" }], "on-native": [{ provider: "native", model: "gpt-4.1" }], "on-claude": [{ provider: "claude", model: "claude-haiku-4-5" }] } }),
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const client = new OpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  const ai = createOpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch });
  return { gateway, upstream, seen, client, ai };
}

const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  strict: true,
};

describe.each(["on-chat", "on-claude"])("client.responses.create translated (%s)", (model) => {
  it("answers JSON with output_text and usage, then a function call and its output", async () => {
    const { client, upstream, seen, gateway } = await setup();
    const { data: first, response } = await client.responses.create({ model, instructions: "Be brief.", input: "Hello there" }).withResponse();
    expect(first.object).toBe("response");
    expect(first.status).toBe("completed");
    expect(first.output_text).toBe(REPLY("Hello there"));
    expect(first.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-model")).toBeTruthy();
    expect(upstream.calls[0].path).toBe(model === "on-chat" ? "/v1/chat/completions" : "/v1/messages");

    const called = await client.responses.create({ model, input: "Weather in Paris?", tools: [weather] });
    const call = called.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather" });
    if (call?.type !== "function_call") throw new Error("no call");
    expect(JSON.parse(call.arguments)).toEqual({ query: "Weather in Paris?" });
    const answered = await client.responses.create({
      model,
      tools: [weather],
      input: [{ role: "user", content: "Weather in Paris?" }, { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: "function_call_output", call_id: call.call_id, output: "18C" }],
    });
    expect(answered.output_text).toBe(REPLY("Weather in Paris?"));
    await gateway.drain(1000);
    expect(seen.map((ctx) => ctx.surface)).toEqual(["responses", "responses", "responses"]);
    expect(seen[0].usage?.outputTokens).toBe(first.usage?.output_tokens);
  });

  it("streams typed events the SDK accumulates, text and a function call", async () => {
    const { client, seen, gateway } = await setup();
    const stream = client.responses.stream({ model, input: "Stream to me" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(REPLY("Stream to me"));
    expect(final.output_text).toBe(REPLY("Stream to me"));
    expect(final.usage?.output_tokens).toBeGreaterThan(0);

    const types: string[] = [];
    const raw = await client.responses.create({ model, input: "Weather?", tools: [weather], stream: true });
    let args = "";
    for await (const event of raw) {
      types.push(event.type);
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
    }
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.added");
    expect(types).toContain("response.output_item.done");
    expect(types.at(-1)).toBe("response.completed");
    expect(JSON.parse(args)).toEqual({ query: "Weather?" });
    await gateway.drain(1000);
    expect(seen[1].usage?.outputTokens).toBeGreaterThan(0);
  });
});

describe("client.responses.create against a Responses-native provider", () => {
  it("passes the client's bytes through, previous_response_id and store included, JSON and stream", async () => {
    const { client, upstream } = await setup();
    const first = await client.responses.create({ model: "on-native", input: "Native hello", store: true, previous_response_id: "resp_earlier" });
    expect(first.output_text).toBe(REPLY("Native hello"));
    expect(upstream.calls[0].path).toBe("/v1/responses");
    expect(upstream.calls[0].body).toMatchObject({ model: "gpt-4.1", store: true, previous_response_id: "resp_earlier" });
    const stream = client.responses.stream({ model: "on-native", input: "Native stream" });
    expect((await stream.finalResponse()).output_text).toBe(REPLY("Native stream"));
    expect(upstream.calls[1].body).toMatchObject({ stream: true });
  });

  it("defaults to native for OpenAI's own base URL only", () => {
    expect(openai({}).formats).toEqual(["responses"]);
    expect(openai({ baseURL: "https://api.openai.com/v1/" }).formats).toEqual(["responses"]);
    expect(openai({ baseURL: "http://127.0.0.1:11434/v1" }).formats).toBeUndefined();
    expect(openai({ responses: "translate" }).formats).toBeUndefined();
  });
});

describe("requests that need server-side state against a translating target", () => {
  it.each([
    [{ previous_response_id: "resp_1" }, "previous_response_id"],
    [{ conversation: "conv_1" }, "conversation"],
    [{ background: true }, "background"],
    [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input[0]"],
  ])("refuses %j with a 400 naming %s", async (extra, param) => {
    const { client, upstream } = await setup();
    const error = await client.responses.create({ model: "on-chat", input: "x", ...(extra as object) }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.error).toMatchObject({ code: "server_state_required", param });
    expect(error.message).toMatch(/Responses API/);
    expect(upstream.calls).toHaveLength(0);
  });

  it("drops store: true and reports it", async () => {
    const { client } = await setup();
    const { response } = await client.responses.create({ model: "on-chat", input: "x", store: true }).withResponse();
    expect(response.headers.get("x-switchyard-dropped")).toBe("store");
  });
});

describe.each(["on-chat", "on-native", "on-claude"])("the Vercel AI SDK's default OpenAI provider (%s)", (model) => {
  it("generateText and streamText", async () => {
    const { ai, upstream } = await setup();
    const { text, usage } = await generateText({ model: ai(model), prompt: "Hello AI SDK" });
    expect(text).toBe(REPLY("Hello AI SDK"));
    expect(usage.outputTokens).toBeGreaterThan(0);
    // The default provider speaks the Responses API.
    expect(upstream.calls[0].path).toBe(model === "on-chat" ? "/v1/chat/completions" : model === "on-native" ? "/v1/responses" : "/v1/messages");
    const streamed = streamText({ model: ai(model), prompt: "Stream AI SDK" });
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
      model: ai(model),
      prompt: "Weather in Oslo?",
      tools: { get_weather: tool({ description: "Weather for a city", inputSchema: z.object({ query: z.string() }), execute: async (input) => (calls.push(input), "12C") }) },
      stopWhen: stepCountIs(2),
    });
    expect(calls).toEqual([{ query: "Weather in Oslo?" }]);
    expect(result.steps[0].toolCalls[0]).toMatchObject({ toolName: "get_weather" });
    expect(result.text).toBe(REPLY("Weather in Oslo?"));
  });
});
