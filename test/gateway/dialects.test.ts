/**
 * The official SDKs against the gateway, in-process (the SDKs' `fetch` is the gateway's), in
 * front of upstreams that speak each format: same format passes through, different formats are
 * translated.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { buildLogRecord, definePlugin, type RequestContext } from "../../core/index.ts";
import { route } from "../../plugins/index.ts";
import { anthropic, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const UPSTREAM_KEY = "sk-ant-upstream-key-0001";

async function setup() {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY });
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
    },
    plugins: [
      route({
        models: {
          "claude-sonnet-4-5": [{ provider: "claude", model: "claude-sonnet-4-5-20250929" }],
          "claude-on-gpt": [{ provider: "gpt", model: "gpt-4o-mini" }],
          "gpt-on-claude": [{ provider: "claude", model: "claude-haiku-4-5" }],
        },
      }),
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const claudeClient = new Anthropic({ apiKey: "client-key", baseURL: "http://gateway.test", fetch, maxRetries: 0 });
  const openaiClient = new OpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  return { gateway, upstream, seen, claudeClient, openaiClient };
}

const weatherTool = { name: "get_weather", description: "Weather for a city", input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] } };

describe("Anthropic clients in front of an Anthropic-format upstream (pass-through)", () => {
  it("sends the client's bytes on untouched but for the model: cache_control, unknown fields and anthropic-beta arrive", async () => {
    const { upstream, claudeClient } = await setup();
    const message = await claudeClient.messages.create(
      {
        model: "claude-sonnet-4-5",
        max_tokens: 256,
        system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "Hello there" }],
        // A field this gateway has never heard of.
        ...({ future_field: { keep: 1.0 } } as object),
      },
      { headers: { "anthropic-beta": "prompt-caching-2024-07-31" } },
    );
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(message.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    const call = upstream.calls[0];
    expect(call.path).toBe("/v1/messages");
    expect(call.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
    // The client's own anthropic-version goes on (the configured one is for clients that send none).
    expect(call.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(call.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(call.rawBody).toContain('"cache_control":{"type":"ephemeral"}');
    expect(call.rawBody).toContain('"future_field":{"keep":1}');
    expect(call.body?.model).toBe("claude-sonnet-4-5-20250929");
  });

  it("streams with messages.stream, tracks usage with cache tokens, and round-trips a tool call", async () => {
    const { claudeClient, seen, gateway } = await setup();
    const stream = claudeClient.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 256, tools: [weatherTool], messages: [{ role: "user", content: "Weather in Paris?" }] });
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe("tool_use");
    const call = first.content.find((block) => block.type === "tool_use");
    expect(call).toMatchObject({ name: "get_weather", input: { query: "Weather in Paris?" } });
    const second = await claudeClient.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call!.type === "tool_use" ? call!.id : "", content: "18C and sunny" }] },
      ],
    });
    expect(second.stop_reason).toBe("end_turn");
    await gateway.drain(1000);
    expect(seen[0].usage?.outputTokens).toBe(first.usage.output_tokens);
    expect(seen[0].usage?.inputTokens).toBe(first.usage.input_tokens);
  });

  it("sends the configured anthropic-version to a client that sends none", async () => {
    const { gateway, upstream } = await setup();
    const res = await gateway.post("/v1/messages", { model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(upstream.calls[0].headers["anthropic-version"]).toBe("2023-06-01");
  });

  it("counts tokens natively", async () => {
    const { claudeClient, upstream } = await setup();
    const count = await claudeClient.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "How many tokens is this?" }] });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(upstream.calls[0].path).toBe("/v1/messages/count_tokens");
  });

  it("hands an upstream error to the client in Anthropic's shape, as the SDK's typed error", async () => {
    const { claudeClient, upstream } = await setup();
    upstream.fail({ status: 400, body: JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: 99999999 > 64000, which is the maximum" } }) });
    const error = await claudeClient.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "max_tokens: 99999999 > 64000, which is the maximum" } });
  });
});

describe("Anthropic clients in front of an OpenAI-format upstream (translation)", () => {
  it("answers messages.create from a chat completion, with usage and the dropped fields named", async () => {
    const { claudeClient, upstream, seen, gateway } = await setup();
    const { data, response } = await claudeClient.messages
      .create({ model: "claude-on-gpt", max_tokens: 300, system: "Be brief.", messages: [{ role: "user", content: "Hello from Claude land" }], ...({ top_k: 5 } as object) })
      .withResponse();
    expect(data.type).toBe("message");
    expect(data.content).toEqual([{ type: "text", text: 'This is a mock reply from Switchyard. You said: "Hello from Claude land"' }]);
    expect(data.stop_reason).toBe("end_turn");
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-dropped")).toBe("top_k");
    const sent = upstream.calls[0];
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body).toMatchObject({ model: "gpt-4o-mini", max_completion_tokens: 300, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hello from Claude land" }] });
    await gateway.drain(1000);
    expect(buildLogRecord(seen[0]).dropped).toEqual(["top_k"]);
  });

  it("streams a translated tool call the SDK assembles, then takes the tool result back", async () => {
    const { claudeClient, upstream } = await setup();
    const events: string[] = [];
    const stream = claudeClient.messages.stream({ model: "claude-on-gpt", max_tokens: 300, tools: [weatherTool], messages: [{ role: "user", content: "Weather in Rome?" }] });
    stream.on("streamEvent", (event) => events.push(event.type));
    const message = await stream.finalMessage();
    expect(events[0]).toBe("message_start");
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(message.stop_reason).toBe("tool_use");
    const call = message.content.find((block) => block.type === "tool_use")!;
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", input: { query: "Weather in Rome?" } });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(upstream.calls[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true }, tools: [{ type: "function", function: { name: "get_weather" } }] });
    const answer = await claudeClient.messages.create({
      model: "claude-on-gpt",
      max_tokens: 300,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Rome?" },
        { role: "assistant", content: message.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: call.type === "tool_use" ? call.id : "", content: "21C" }] },
      ],
    });
    expect(answer.stop_reason).toBe("end_turn");
    expect(upstream.calls[1].body?.messages).toEqual([
      { role: "user", content: "Weather in Rome?" },
      { role: "assistant", content: null, tool_calls: [{ id: call.type === "tool_use" ? call.id : "", type: "function", function: { name: "get_weather", arguments: '{"query":"Weather in Rome?"}' } }] },
      { role: "tool", tool_call_id: call.type === "tool_use" ? call.id : "", content: "21C" },
    ]);
  });

  it("estimates a token count the target cannot make, and says so", async () => {
    const { claudeClient, upstream } = await setup();
    const { data, response } = await claudeClient.messages.countTokens({ model: "claude-on-gpt", messages: [{ role: "user", content: "count me please" }] }).withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-switchyard-estimated")).toBe("true");
    expect(upstream.calls).toHaveLength(0);
  });

  it("renders an upstream OpenAI error for the Anthropic client, and refuses what would change the meaning", async () => {
    const { claudeClient, upstream } = await setup();
    upstream.fail({ status: 429, headers: { "retry-after": "3" } });
    const limited = await claudeClient.messages.create({ model: "claude-on-gpt", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.error.error.type).toBe("rate_limit_error");
    expect(limited.headers.get("retry-after")).toBe("3");
    const refused = await claudeClient.messages
      .create({ model: "claude-on-gpt", max_tokens: 10, tools: [{ type: "web_search_20250305", name: "web_search" }], messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(refused.error.error.message).toContain("web_search");
  });
});

describe("OpenAI clients in front of an Anthropic-format upstream (translation)", () => {
  it("answers chat completions from a Messages answer, cache tokens in the usage", async () => {
    const { openaiClient, upstream } = await setup();
    const completion = await openaiClient.chat.completions.create({
      model: "gpt-on-claude",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi Claude" }],
      stop: ["zzz"],
    });
    expect(completion.choices[0].message.content).toBe('This is a mock reply from Switchyard. You said: "Hi Claude"');
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    const sent = upstream.calls[0];
    expect(sent.path).toBe("/v1/messages");
    expect(sent.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(sent.body).toMatchObject({ model: "claude-haiku-4-5", max_tokens: 8192, system: [{ type: "text", text: "Be brief." }], stop_sequences: ["zzz"], messages: [{ role: "user", content: [{ type: "text", text: "Hi Claude" }] }] });
  });

  it("streams with usage and tool-call argument deltas the SDK assembles", async () => {
    const { openaiClient } = await setup();
    const stream = openaiClient.chat.completions.stream({
      model: "gpt-on-claude",
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Weather in Oslo?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0].finish_reason).toBe("tool_calls");
    expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "get_weather", arguments: '{"query":"Weather in Oslo?"}' } });
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("maps JSON schema output and refuses n > 1 with a clear 400", async () => {
    const { openaiClient, upstream } = await setup();
    await openaiClient.chat.completions.create({
      model: "gpt-on-claude",
      messages: [{ role: "user", content: "Give me JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "string" } } } } },
    });
    expect(upstream.calls[0].body?.output_config).toEqual({ format: { type: "json_schema", schema: { type: "object", properties: { a: { type: "string" } } } } });
    const error = await openaiClient.chat.completions.create({ model: "gpt-on-claude", n: 2, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe("n");
  });

  it("renders Anthropic's 529 overloaded for the OpenAI client as a retryable 503", async () => {
    const { openaiClient, upstream } = await setup();
    upstream.fail({ status: 529 });
    const error = await openaiClient.chat.completions.create({ model: "gpt-on-claude", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error.status).toBe(503);
    expect(error.type).toBe("server_error");
  });
});

describe("errors the gateway raises, in the client's dialect", () => {
  it("answers Anthropic clients in Anthropic's shape: unknown model, bad body, unknown path", async () => {
    const { claudeClient, gateway } = await setup();
    const missing = await claudeClient.messages.create({ model: "nope", max_tokens: 5, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect(missing.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const bad = await gateway.post("/v1/messages", { model: "claude-sonnet-4-5", messages: [] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const path = await gateway.post("/v1/messages/batches", {});
    expect(path.status).toBe(404);
    expect(await path.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });
});

describe("GET /v1/models for each dialect", () => {
  it("lists models in Anthropic's shape for the Anthropic SDK, in OpenAI's for the OpenAI SDK", async () => {
    const { claudeClient, openaiClient } = await setup();
    const anthropicPage = await claudeClient.models.list();
    expect(anthropicPage.data.map((m) => m.id)).toContain("claude-sonnet-4-5");
    expect(anthropicPage.data[0]).toMatchObject({ type: "model", display_name: expect.any(String), created_at: expect.any(String) });
    const one = await claudeClient.models.retrieve("claude-sonnet-4-5");
    expect(one).toMatchObject({ type: "model", id: "claude-sonnet-4-5" });
    const missing = await claudeClient.models.retrieve("nope").catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    const openaiPage = await openaiClient.models.list();
    expect(openaiPage.data.map((m) => m.id)).toContain("claude-sonnet-4-5");
    expect(openaiPage.data[0]).toMatchObject({ object: "model" });
  });
});
