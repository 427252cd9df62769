/**
 * The Gemini API surface (`/v1beta/models/{model}:{method}` and `/v1/models/…`), judged by
 * `@google/genai` pointed at the gateway (`httpOptions.baseUrl`): generateContent and
 * generateContentStream answered by an OpenAI-format upstream and an Anthropic one (translated)
 * and by a Gemini one (passed through), function calls, token counts, embeddings, keys in
 * `x-goog-api-key` or `?key=`, and errors in Google's shape.
 */
import { ApiError, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { definePlugin, type RequestContext } from "../../core/index.ts";
import { listen, type Listener } from "../../runtimes/node.ts";
import { auth, route } from "../../plugins/index.ts";
import { anthropic, gemini, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, type TestGateway } from "../../testing/index.ts";

const UPSTREAM_KEY = "sk-upstream-gemini-surface";
const KEY = "sk-virt-gemini-surface-0001";
const REPLY = (said: string) => `This is a mock reply from Switchyard. You said: "${said}"`;

const upstream = mockUpstream({ apiKey: UPSTREAM_KEY });
const seen: RequestContext[] = [];
let gateway: TestGateway;
let server: Listener;
let client: GoogleGenAI;

beforeAll(async () => {
  gateway = await createTestGateway({
    providers: {
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: UPSTREAM_KEY }),
      google: gemini({ baseURL: "http://upstream.test/v1beta", apiKey: UPSTREAM_KEY }),
    },
    plugins: [
      auth({ keys: [{ id: "app", key: KEY }] }),
      route({
        models: {
          "on-gpt": [{ provider: "gpt", model: "gpt-4o-mini" }],
          "on-claude": [{ provider: "claude", model: "claude-haiku-4-5" }],
          "on-gemini": [{ provider: "google", model: "gemini-2.5-flash" }],
          "embed-gemini": [{ provider: "google", model: "text-embedding-004" }],
        },
      }),
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  server = await listen(gateway.fetch, { port: 0 });
  client = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
});
afterAll(async () => {
  await server.close(500);
  await gateway.close();
});
beforeEach(async () => {
  // A stream's completion may land after its test ended: let it, then start clean.
  await gateway.drain(1000);
  upstream.reset();
  seen.length = 0;
});

const UPSTREAM_PATH: Record<string, string> = {
  "on-gpt": "/v1/chat/completions",
  "on-claude": "/v1/messages",
  "on-gemini": "/v1beta/models/gemini-2.5-flash:generateContent",
};

describe.each(["on-gpt", "on-claude", "on-gemini"])("@google/genai against the gateway (%s)", (model) => {
  it("generateContent: text, finish reason and usage", async () => {
    const response = await client.models.generateContent({ model, contents: "Hello Gemini surface", config: { systemInstruction: "Be brief.", maxOutputTokens: 300 } });
    expect(response.text).toBe(REPLY("Hello Gemini surface"));
    expect(response.candidates?.[0].finishReason).toBe("STOP");
    expect(response.usageMetadata?.candidatesTokenCount).toBe(Math.ceil(REPLY("Hello Gemini surface").length / 4));
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(response.sdkHttpResponse?.headers?.["x-switchyard-provider"]).toBe(model === "on-gpt" ? "gpt" : model === "on-claude" ? "claude" : "google");
    expect(upstream.calls[0].path).toBe(UPSTREAM_PATH[model]);
    await gateway.drain(1000);
    expect(seen[0]).toMatchObject({ surface: "gemini", model, stream: false });
    expect(seen[0].usage?.outputTokens).toBe(response.usageMetadata?.candidatesTokenCount);
  });

  it("generateContentStream: chunks whose text joins to the answer, the last with finish reason and usage", async () => {
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model, contents: "Stream through the gateway", config: { maxOutputTokens: 300 } })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe(REPLY("Stream through the gateway"));
    const last = chunks[chunks.length - 1];
    expect(last.candidates?.[0].finishReason).toBe("STOP");
    expect(last.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    await gateway.drain(1000);
    expect(seen[0]).toMatchObject({ surface: "gemini", stream: true });
    expect(seen[0].usage?.outputTokens).toBe(last.usageMetadata?.candidatesTokenCount);
  });

  it("a function call and its functionResponse", async () => {
    const tools = [{ functionDeclarations: [{ name: "get_weather", description: "Weather", parameters: { type: Type.OBJECT, properties: { query: { type: Type.STRING } }, required: ["query"] } }] }];
    const first = await client.models.generateContent({ model, contents: "Weather in Rome?", config: { tools, maxOutputTokens: 300 } });
    expect(first.functionCalls?.[0]).toMatchObject({ name: "get_weather", args: { query: "Weather in Rome?" } });
    const second = await client.models.generateContent({
      model,
      contents: [
        { role: "user", parts: [{ text: "Weather in Rome?" }] },
        { role: "model", parts: [{ functionCall: first.functionCalls![0] }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "Warm" } } }] },
      ],
      config: { tools, maxOutputTokens: 300 },
    });
    expect(second.text).toBe(REPLY("Weather in Rome?"));
  });
});

describe("the Gemini surface", () => {
  it("passes a Gemini client's bytes through to a Gemini upstream untouched, model in the path", async () => {
    await client.models.generateContent({ model: "on-gemini", contents: "Byte for byte", config: { temperature: 0.5 } });
    const call = upstream.calls[0];
    expect(call.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
    expect(call.body).toEqual({ contents: [{ parts: [{ text: "Byte for byte" }], role: "user" }], generationConfig: { temperature: 0.5 } });
  });

  it("translates to the target's format and reports what it left out", async () => {
    const response = await client.models.generateContent({ model: "on-gpt", contents: "Hi", config: { safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT" as never, threshold: "BLOCK_NONE" as never }], topK: 5 } });
    expect(response.sdkHttpResponse?.headers?.["x-switchyard-dropped"]).toBe("safetySettings, top_k");
    expect(upstream.calls[0].body).toMatchObject({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
  });

  it("serves /v1/models/{model}:generateContent, where @google/genai 3.x sends requests", async () => {
    const v1 = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url, apiVersion: "v1" } });
    const response = await v1.models.generateContent({ model: "on-gpt", contents: "On v1" });
    expect(response.text).toBe(REPLY("On v1"));
    // OpenAI's model lookup at the same prefix is unchanged.
    const lookup = await fetch(`${server.url}/v1/models/on-gpt`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(await lookup.json()).toMatchObject({ id: "on-gpt", object: "model" });
    const wrong = await fetch(`${server.url}/v1/models/on-gpt`, { method: "POST", headers: { authorization: `Bearer ${KEY}` } });
    expect(wrong.status).toBe(405);
  });

  it("counts tokens natively on a Gemini target and estimates them elsewhere", async () => {
    const native = await client.models.countTokens({ model: "on-gemini", contents: "Count these tokens please" });
    expect(native.totalTokens).toBeGreaterThan(0);
    expect(upstream.calls[0].path).toBe("/v1beta/models/gemini-2.5-flash:countTokens");
    const estimated = await client.models.countTokens({ model: "on-gpt", contents: "Count these tokens please" });
    expect(estimated.totalTokens).toBeGreaterThan(0);
    expect(estimated.sdkHttpResponse?.headers?.["x-switchyard-estimated"]).toBe("true");
    expect(upstream.calls).toHaveLength(1);
  });

  it("embeds on a Gemini target, the alias replaced by the target's model inside each request", async () => {
    const result = await client.models.embedContent({ model: "embed-gemini", contents: ["one", "two"], config: { outputDimensionality: 4 } });
    expect(result.embeddings?.map((e) => e.values?.length)).toEqual([4, 4]);
    expect(upstream.calls[0].path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(upstream.calls[0].body).toMatchObject({ requests: [{ model: "models/text-embedding-004" }, { model: "models/text-embedding-004" }] });
    const refused = await client.models.embedContent({ model: "on-gpt", contents: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(JSON.parse((refused as ApiError).message).error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
  });

  it("takes the key as ?key= too, and refuses a missing or wrong key with a 401 in Google's shape", async () => {
    const body = JSON.stringify({ contents: [{ role: "user", parts: [{ text: "By query" }] }] });
    const byQuery = await fetch(`${server.url}/v1beta/models/on-gpt:generateContent?key=${KEY}`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(byQuery.status).toBe(200);
    const missing = await fetch(`${server.url}/v1beta/models/on-gpt:generateContent`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED", message: expect.stringContaining("x-goog-api-key") } });
    const wrong = await new GoogleGenAI({ apiKey: "sk-wrong", httpOptions: { baseUrl: server.url } }).models.generateContent({ model: "on-gpt", contents: "x" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ApiError);
    expect((wrong as ApiError).status).toBe(401);
  });

  it("answers bad requests in Google's shape, naming the field", async () => {
    const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-goog-api-key": KEY }, body: JSON.stringify(body) });
    const noContents = await post("/v1beta/models/on-gpt:generateContent", { generationConfig: {} });
    expect(noContents.status).toBe(400);
    expect(await noContents.json()).toEqual({ error: { code: 400, message: "Missing required parameter: 'contents'.", status: "INVALID_ARGUMENT", details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "missing_required_parameter", domain: "switchyard" }] } });
    const unknownModel = await post("/v1beta/models/nope:generateContent", { contents: [{ parts: [{ text: "x" }] }] });
    expect(unknownModel.status).toBe(404);
    expect((await unknownModel.json()).error.status).toBe("NOT_FOUND");
    const unknownMethod = await post("/v1beta/models/on-gpt:predict", { contents: [] });
    expect(unknownMethod.status).toBe(404);
    expect((await unknownMethod.json()).error.status).toBe("NOT_FOUND");
    const notSse = await post("/v1beta/models/on-gpt:streamGenerateContent", { contents: [{ parts: [{ text: "x" }] }] });
    expect(notSse.status).toBe(400);
    expect((await notSse.json()).error.message).toContain("alt=sse");
    const serverTool = await post("/v1beta/models/on-gpt:generateContent", { contents: [{ parts: [{ text: "x" }] }], tools: [{ googleSearch: {} }] });
    expect(serverTool.status).toBe(400);
    expect((await serverTool.json()).error.message).toContain("googleSearch");
  });

  it("lists models the Gemini way at GET /v1beta/models", async () => {
    const list = await fetch(`${server.url}/v1beta/models`, { headers: { "x-goog-api-key": KEY } });
    const body = await list.json();
    expect(body.models).toContainEqual(expect.objectContaining({ name: "models/on-gpt", supportedGenerationMethods: expect.arrayContaining(["generateContent"]) }));
    const one = await client.models.get({ model: "on-gemini" });
    expect(one.name).toBe("models/on-gemini");
  });
});
