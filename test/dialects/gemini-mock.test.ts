/**
 * The mock upstream's Gemini side, judged by the official SDK with no gateway in between: if
 * `@google/genai` reads what the mock sends (JSON, streams, function calls, token counts,
 * embeddings, errors), the mock speaks the real format.
 */
import { ApiError, FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";

const upstream = mockUpstream({ apiKey: "gemini-upstream-key" });
let server: Listener;
let client: GoogleGenAI;

beforeAll(async () => {
  server = await listen(upstream.fetch, { port: 0 });
  client = new GoogleGenAI({ apiKey: "gemini-upstream-key", httpOptions: { baseUrl: server.url } });
});
afterAll(() => server.close(500));
beforeEach(() => upstream.reset());

const weather = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: Type.OBJECT, properties: { query: { type: Type.STRING } }, required: ["query"] },
};

describe("mock Gemini upstream, read by @google/genai", () => {
  it("answers generateContent with a response the SDK reads: text, finish reason, usage, model version", async () => {
    const response = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Hello there", config: { systemInstruction: "Be brief." } });
    expect(response.text).toBe('This is a mock reply from Switchyard. You said: "Hello there"');
    expect(response.candidates?.[0].finishReason).toBe("STOP");
    expect(response.modelVersion).toBe("gemini-2.5-flash");
    expect(response.responseId).toMatch(/^resp/);
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(response.usageMetadata?.candidatesTokenCount).toBe(Math.ceil(response.text!.length / 4));
    const call = upstream.calls[0];
    expect(call.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(call.headers["x-goog-api-key"]).toBe("gemini-upstream-key");
    expect(call.body).toMatchObject({ contents: [{ role: "user", parts: [{ text: "Hello there" }] }], systemInstruction: { parts: [{ text: "Be brief." }] } });
  });

  it("streams alt=sse chunks whose text joins to the JSON answer's, the last with the finish reason and usage", async () => {
    const json = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Stream me a reply of some length" });
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model: "gemini-2.5-flash", contents: "Stream me a reply of some length" })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe(json.text);
    const last = chunks[chunks.length - 1];
    expect(last.candidates?.[0].finishReason).toBe("STOP");
    expect(last.usageMetadata).toEqual(json.usageMetadata);
    expect(upstream.calls[1].path).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent");
  });

  it("calls a declared function, and answers its functionResponse with text", async () => {
    const first = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Weather in Paris?", config: { tools: [{ functionDeclarations: [weather] }] } });
    expect(first.functionCalls).toEqual([{ name: "get_weather", args: { query: "Weather in Paris?" } }]);
    const second = await client.models.generateContent({
      model: "gemini-2.5-flash",
      contents: [
        { role: "user", parts: [{ text: "Weather in Paris?" }] },
        { role: "model", parts: [{ functionCall: first.functionCalls![0] }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { result: "Sunny, 21C" } } }] },
      ],
      config: { tools: [{ functionDeclarations: [weather] }] },
    });
    expect(second.functionCalls).toBeUndefined();
    expect(second.text).toContain("mock reply");
  });

  it("honours functionCallingConfig: NONE answers in text, ANY with one allowed name calls it", async () => {
    const tools = [{ functionDeclarations: [weather, { name: "get_time", parameters: { type: Type.OBJECT, properties: {} } }] }];
    const none = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Hi", config: { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } } } });
    expect(none.functionCalls).toBeUndefined();
    const any = await client.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "Hi",
      config: { tools, toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ["get_time"] } } },
    });
    expect(any.functionCalls?.[0].name).toBe("get_time");
  });

  it("streams a function call whole in one chunk", async () => {
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream({ model: "gemini-2.5-flash", contents: "Weather?", config: { tools: [{ functionDeclarations: [weather] }] } })) chunks.push(chunk);
    expect(chunks.flatMap((c) => c.functionCalls ?? [])).toEqual([{ name: "get_weather", args: { query: "Weather?" } }]);
  });

  it("stops at maxOutputTokens with MAX_TOKENS", async () => {
    const response = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Say a lot", config: { maxOutputTokens: 3 } });
    expect(response.candidates?.[0].finishReason).toBe("MAX_TOKENS");
    expect(response.text!.length).toBeLessThanOrEqual(12);
  });

  it("counts tokens", async () => {
    const counted = await client.models.countTokens({ model: "gemini-2.5-flash", contents: "How many tokens is this?" });
    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(upstream.calls[0].path).toBe("/v1beta/models/gemini-2.5-flash:countTokens");
  });

  it("embeds through batchEmbedContents, equal texts equally", async () => {
    const result = await client.models.embedContent({ model: "text-embedding-004", contents: ["alpha", "beta", "alpha"], config: { outputDimensionality: 16 } });
    expect(result.embeddings).toHaveLength(3);
    expect(result.embeddings![0].values).toHaveLength(16);
    expect(result.embeddings![0].values).toEqual(result.embeddings![2].values);
    expect(upstream.calls[0].path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
  });

  it("refuses a wrong key the way Google does, which the SDK raises as an ApiError", async () => {
    const wrong = new GoogleGenAI({ apiKey: "wrong", httpOptions: { baseUrl: server.url } });
    const error = await wrong.models.generateContent({ model: "gemini-2.5-flash", contents: "Hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain("API key not valid");
  });

  it("answers an injected failure in Google's error shape", async () => {
    upstream.fail({ status: 429 });
    const error = await client.models.generateContent({ model: "gemini-2.5-flash", contents: "Hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect(JSON.parse((error as ApiError).message)).toEqual({ error: { code: 429, message: "Mock upstream error 429", status: "RESOURCE_EXHAUSTED" } });
  });
});
