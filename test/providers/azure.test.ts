/**
 * Azure OpenAI: the mock resource checked against the official `AzureOpenAI` client with nothing
 * in between, the `azure` adapter through the provider conformance suite (deployment-path and v1
 * APIs), and the official SDKs through the gateway in front of it.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { AzureOpenAI } from "openai";
import { describe, expect, it } from "vitest";
import { route } from "../../plugins/index.ts";
import { azure } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockAzureUpstream, providerConformance } from "../../testing/index.ts";

const KEY = "azure-key-0123456789abcdef";
const API_VERSION = "2024-10-21";
const weather = { type: "function" as const, function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } };

function sdkFetch(handler: (request: Request) => Promise<Response>) {
  return (input: string | URL | Request, init?: RequestInit) => handler(new Request(input, init));
}

describe("the Azure mock, judged by the official AzureOpenAI client (no gateway)", () => {
  const mock = mockAzureUpstream({ apiKey: KEY });
  const client = new AzureOpenAI({ endpoint: "http://contoso.openai.azure.test", apiKey: KEY, apiVersion: API_VERSION, deployment: "gpt-4o-prod", fetch: sdkFetch(mock.fetch), maxRetries: 0 });

  it("answers chat at the deployment path with api-version and api-key, filter results included", async () => {
    mock.reset();
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hello Azure" }] });
    expect(completion.choices[0].message.content).toContain("Hello Azure");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect((completion as unknown as { prompt_filter_results: unknown[] }).prompt_filter_results).toHaveLength(1);
    expect(mock.calls[0].path).toBe("/openai/deployments/gpt-4o-prod/chat/completions");
    expect(mock.calls[0].headers["api-key"]).toBe(KEY);
  });

  it("streams with usage, past Azure's leading prompt-filter chunk", async () => {
    const stream = await client.chat.completions.create({ model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Stream please" }] });
    let text = "";
    let usage = 0;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toContain("Stream please");
    expect(usage).toBeGreaterThan(0);
  });

  it("calls tools and embeds", async () => {
    const completion = await client.chat.completions.create({ model: "gpt-4o", tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } }, messages: [{ role: "user", content: "Paris?" }] });
    expect(completion.choices[0].finish_reason).toBe("tool_calls");
    expect(JSON.parse(completion.choices[0].message.tool_calls![0].type === "function" ? completion.choices[0].message.tool_calls![0].function.arguments : "null")).toEqual({ query: "Paris?" });
    const embedded = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(embedded.data).toHaveLength(2);
  });

  it("refuses a wrong key with Azure's 401, which the SDK raises as an AuthenticationError", async () => {
    const wrong = new AzureOpenAI({ endpoint: "http://contoso.openai.azure.test", apiKey: "wrong", apiVersion: API_VERSION, deployment: "gpt-4o-prod", fetch: sdkFetch(mock.fetch), maxRetries: 0 });
    await expect(wrong.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("serves the v1 API to the plain OpenAI client at /openai/v1", async () => {
    mock.reset();
    const v1 = new OpenAI({ baseURL: "http://contoso.openai.azure.test/openai/v1", apiKey: KEY, fetch: sdkFetch(mock.fetch), maxRetries: 0, defaultHeaders: { "api-key": KEY } });
    const completion = await v1.chat.completions.create({ model: "gpt-4o-prod", messages: [{ role: "user", content: "v1 hello" }] });
    expect(completion.choices[0].message.content).toContain("v1 hello");
    expect(mock.calls[0].path).toBe("/openai/v1/chat/completions");
  });
});

describe("azure provider conformance", () => {
  for (const [label, apiVersion] of [["deployment path", API_VERSION], ["v1 API", undefined]] as const) {
    const mock = mockAzureUpstream({ apiKey: KEY });
    const adapter = azure({ baseURL: "http://contoso.openai.azure.test/", apiKey: KEY, apiVersion });
    describe(label, () => {
      for (const check of providerConformance({ adapter, mock, model: "gpt-4o-prod" })) it(check.name, check.run);
    });
  }

  it("builds the URL from the resource name and api-version, and says which option is missing", async () => {
    const mock = mockAzureUpstream({ apiKey: KEY });
    const adapter = azure({ resource: "contoso", apiKey: KEY, apiVersion: API_VERSION });
    const seen: string[] = [];
    const upstream = inProcessUpstream(async (request) => {
      seen.push(request.url);
      return mock.fetch(request);
    });
    await adapter.send({ provider: "az", operation: "generate", format: "openai", model: "my deployment", bodyText: JSON.stringify({ model: "my deployment", messages: [{ role: "user", content: "hi" }] }), stream: false, headers: {}, signal: new AbortController().signal, connectTimeoutMs: undefined, upstream });
    expect(seen[0]).toBe("https://contoso.openai.azure.com/openai/deployments/my%20deployment/chat/completions?api-version=2024-10-21");
    expect(() => azure({ apiKey: KEY })).toThrow(/resource/);
  });

  it("reads Azure's numeric error codes as no code, and passes apim-request-id on", async () => {
    const mock = mockAzureUpstream({ apiKey: KEY });
    const adapter = azure({ baseURL: "http://contoso.openai.azure.test", apiKey: KEY, apiVersion: API_VERSION });
    mock.fail({ status: 429, headers: { "retry-after-ms": "1500" } });
    const error = await adapter.send({ provider: "az", operation: "generate", format: "openai", model: "d", bodyText: "{}", stream: false, headers: {}, signal: new AbortController().signal, connectTimeoutMs: undefined, upstream: inProcessUpstream(mock.fetch) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryable: true, retryAfterMs: 1500 });
    expect((error as { upstream: { requestId: string } }).upstream.requestId).toBe("6f0f9c1e-mock-azure-apim");
  });
});

describe("official SDKs through the gateway in front of Azure", () => {
  async function setup({ apiVersion }: { apiVersion?: string } = { apiVersion: API_VERSION }) {
    const mock = mockAzureUpstream({ apiKey: KEY });
    const gateway = await createTestGateway({
      providers: { az: azure({ baseURL: "http://contoso.openai.azure.test", apiKey: KEY, apiVersion }) },
      plugins: [route({ models: { "gpt-4o": [{ provider: "az", model: "gpt-4o-prod" }], "claude-on-azure": [{ provider: "az", model: "gpt-4o-prod" }], embed: [{ provider: "az", model: "embedding-prod" }] } })],
      upstream: inProcessUpstream(mock.fetch),
    });
    const fetch = sdkFetch((request) => gateway.fetch(request));
    return {
      mock,
      openaiClient: new OpenAI({ apiKey: "client-key", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 }),
      claudeClient: new Anthropic({ apiKey: "client-key", baseURL: "http://gateway.test", fetch, maxRetries: 0 }),
    };
  }

  it("openai: chat JSON passes through to the deployment, with the gateway's key and not the client's", async () => {
    const { mock, openaiClient } = await setup();
    const completion = await openaiClient.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Through the gateway" }] });
    expect(completion.choices[0].message.content).toContain("Through the gateway");
    expect(mock.calls[0].path).toBe("/openai/deployments/gpt-4o-prod/chat/completions");
    expect(mock.calls[0].headers["api-key"]).toBe(KEY);
    expect(mock.calls[0].headers.authorization).toBeUndefined();
  });

  it("openai: a stream with usage, and a tool call, on the v1 API", async () => {
    const { mock, openaiClient } = await setup({});
    const stream = await openaiClient.chat.completions.create({ model: "gpt-4o", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Streaming through" }] });
    let text = "";
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toContain("Streaming through");
    expect(usage).toBeGreaterThan(0);
    expect(mock.calls[0].path).toBe("/openai/v1/chat/completions");
    expect(mock.calls[0].body?.model).toBe("gpt-4o-prod");
    const tools = await openaiClient.chat.completions.create({ model: "gpt-4o", tools: [weather], messages: [{ role: "user", content: "Weather in Oslo?" }] });
    const call = tools.choices[0].message.tool_calls![0];
    expect(call.type === "function" && call.function.name).toBe("get_weather");
  });

  it("openai: embeddings reach the deployment's /embeddings", async () => {
    const { mock, openaiClient } = await setup();
    const embedded = await openaiClient.embeddings.create({ model: "embed", input: "vector me" });
    expect(embedded.data[0].embedding.length).toBeGreaterThan(0);
    expect(mock.calls[0].path).toBe("/openai/deployments/embedding-prod/embeddings");
  });

  it("anthropic: Messages are translated to Azure chat completions, streamed tool call included", async () => {
    const { mock, claudeClient } = await setup();
    const message = await claudeClient.messages.create({ model: "claude-on-azure", max_tokens: 128, messages: [{ role: "user", content: "Claude via Azure" }] });
    expect(message.content[0]).toMatchObject({ type: "text" });
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    const stream = claudeClient.messages.stream({ model: "claude-on-azure", max_tokens: 128, tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }], messages: [{ role: "user", content: "Weather?" }] });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(mock.calls[1].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});
