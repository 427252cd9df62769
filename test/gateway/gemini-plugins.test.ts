/**
 * The built-in plugins on the Gemini surface and on the `gemini` provider: fallback (both ways
 * across formats), cost from Gemini prices, rate limits, budgets, cache and logs. They read the
 * neutral view (model, principal, estimated and reported usage), and what they answer a Gemini
 * client is rendered in Google's error shape.
 */
import { ApiError, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { buildLogRecord, definePlugin, type Plugin, type RequestContext } from "../../core/index.ts";
import { auth, budget, cache, cost, fallback, PRICES, rateLimit, requestCost, route } from "../../plugins/index.ts";
import { gemini, openai } from "../../providers/index.ts";
import { listen, type Listener } from "../../runtimes/node.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, type MockUpstream } from "../../testing/index.ts";

const KEY = "sk-virt-gemini-plugins-01";
const REPLY = (said: string) => `This is a mock reply from Switchyard. You said: "${said}"`;
const servers: Listener[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(500);
});

async function setup(plugins: Plugin[], upstream: MockUpstream = mockUpstream()) {
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      google: gemini({ baseURL: "http://upstream.test/v1beta", apiKey: "g-up" }),
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }),
    },
    plugins: [
      auth({ keys: [{ id: "app", key: KEY, team: "t" }] }),
      route({
        models: {
          // Gemini first, an OpenAI-format target behind it; and the other way round.
          flash: [{ provider: "google", model: "gemini-3.5-flash" }, { provider: "gpt", model: "gpt-4o-mini" }],
          mini: [{ provider: "gpt", model: "gpt-4o-mini" }, { provider: "google", model: "gemini-3.5-flash" }],
        },
      }),
      ...plugins,
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const server = await listen(gateway.fetch, { port: 0 });
  servers.push(server);
  const genai = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.url } });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const chat = new OpenAI({ apiKey: KEY, baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  return { gateway, upstream, seen, genai, chat };
}

const ask = (genai: GoogleGenAI, text = "Hello", model = "flash") => genai.models.generateContent({ model, contents: text });

async function googleError(promise: Promise<unknown>): Promise<{ status: number; body: { error: { code: number; status: string; message: string } }; error: ApiError }> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  const api = error as ApiError;
  return { status: api.status, body: JSON.parse(api.message), error: api };
}

describe("plugins on the Gemini surface and provider", () => {
  it("fallback crosses formats: a Gemini 503 falls back to an OpenAI-format target, JSON and streams", async () => {
    const { genai, upstream } = await setup([fallback({ retries: 0 })]);
    upstream.fail({ status: 503 });
    const response = await ask(genai);
    expect(response.text).toBe(REPLY("Hello"));
    expect(response.sdkHttpResponse?.headers?.["x-switchyard-provider"]).toBe("gpt");
    expect(response.sdkHttpResponse?.headers?.["x-switchyard-attempts"]).toBe("2");
    expect(upstream.calls.map((call) => call.path)).toEqual(["/v1beta/models/gemini-3.5-flash:generateContent", "/v1/chat/completions"]);

    upstream.fail({ status: 503 });
    const chunks = [];
    for await (const chunk of await genai.models.generateContentStream({ model: "flash", contents: "Streamed" })) chunks.push(chunk.text ?? "");
    expect(chunks.join("")).toBe(REPLY("Streamed"));
    expect(upstream.calls.slice(2).map((call) => call.path)).toEqual(["/v1beta/models/gemini-3.5-flash:streamGenerateContent", "/v1/chat/completions"]);
  });

  it("fallback onto Gemini: an OpenAI client's 429 from its first target is answered by the Gemini one", async () => {
    const { chat, upstream } = await setup([fallback({ retries: 0 })]);
    upstream.fail({ status: 429 });
    const { data, response } = await chat.chat.completions.create({ model: "mini", messages: [{ role: "user", content: "Fall to Gemini" }] }).withResponse();
    expect(data.choices[0].message.content).toBe(REPLY("Fall to Gemini"));
    expect(response.headers.get("x-switchyard-provider")).toBe("google");
    expect(upstream.calls.map((call) => call.path)).toEqual(["/v1/chat/completions", "/v1beta/models/gemini-3.5-flash:generateContent"]);
  });

  it("rate limits per key, refusing a Gemini client in Google's shape with retry-after", async () => {
    const { genai, gateway } = await setup([rateLimit({ per: "key", rpm: 2 })]);
    await ask(genai);
    await ask(genai);
    const refused = await googleError(ask(genai));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    const raw = await gateway.post("/v1beta/models/flash:generateContent", { contents: [{ parts: [{ text: "x" }] }] }, { "x-goog-api-key": KEY });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts tokens per minute from the Gemini body's estimate, with maxOutputTokens reserved, and corrects from reported usage", async () => {
    const { genai, seen, gateway } = await setup([rateLimit({ per: "key", tpm: 100_000 })]);
    await genai.models.generateContent({ model: "flash", contents: "x".repeat(4000), config: { maxOutputTokens: 50 } });
    await gateway.drain(1000);
    expect(seen[0].estimatedInputTokens).toBeGreaterThanOrEqual(1000);
    expect(seen[0].maxOutputTokens).toBe(50);
    expect(seen[0].usage?.inputTokens).toBeGreaterThan(900);
  });

  it("prices Gemini usage from the table, on both sides, and stops a key over budget in Google's shape", async () => {
    const { genai, chat, seen, gateway } = await setup([cost(), budget({ per: "key", usd: 0.00005, period: "day" })]);
    await ask(genai, "price me");
    await gateway.drain(1000);
    const usage = seen[0].usage!;
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(seen[0].vars.costUsd).toBeCloseTo(requestCost(PRICES["gemini-3.5-flash"], usage, Date.now()), 12);
    expect(seen[0].vars.costUsd).toBeGreaterThan(0);
    const over = await googleError(ask(genai, "again"));
    expect(over.status).toBe(429);
    expect(over.body.error.message).toMatch(/budget/i);
    // The same budget refuses the OpenAI client, in its own shape.
    const openaiOver = await chat.chat.completions.create({ model: "flash", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(openaiOver).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("caches Gemini answers, JSON and streams, per key", async () => {
    const { genai, upstream, gateway } = await setup([cache({ ttl: 60 })]);
    const a = await ask(genai, "cache me");
    await gateway.drain(1000);
    const b = await ask(genai, "cache me");
    expect(b.sdkHttpResponse?.headers?.["x-switchyard-cache"]).toBe("hit");
    expect(b.text).toEqual(a.text);
    // Another model is another answer: the path's model is part of the key.
    await ask(genai, "cache me", "mini");
    const streamed = async () => {
      const out: string[] = [];
      for await (const chunk of await genai.models.generateContentStream({ model: "flash", contents: "cache stream" })) out.push(chunk.text ?? "");
      return out.join("");
    };
    const s1 = await streamed();
    await gateway.drain(1000);
    const s2 = await streamed();
    expect(s2).toBe(s1);
    expect(upstream.calls.map((call) => call.path)).toEqual([
      "/v1beta/models/gemini-3.5-flash:generateContent",
      "/v1/chat/completions",
      "/v1beta/models/gemini-3.5-flash:streamGenerateContent",
    ]);
  });

  it("logs Gemini requests with their surface, path, attempts, usage and what translation dropped; the query key never", async () => {
    const upstream = mockUpstream();
    const { gateway, seen } = await setup([fallback({ retries: 0 })], upstream);
    upstream.fail({ status: 503 });
    const response = await gateway.post(`/v1beta/models/flash:generateContent?key=${KEY}`, { contents: [{ parts: [{ text: "log me" }] }], generationConfig: { topK: 3 } });
    expect(response.status).toBe(200);
    await gateway.drain(1000);
    const record = buildLogRecord(seen[0]);
    expect(record).toMatchObject({ surface: "gemini", path: "/v1beta/models/flash:generateContent", requested: { model: "flash", stream: false }, served: { provider: "gpt" }, dropped: ["top_k"], principal: { id: "app" } });
    expect(record.attempts.map((a) => [a.provider, a.status, a.errorCode])).toEqual([["google", 503, "upstream_error"], ["gpt", 200, null]]);
    expect(record.usage?.outputTokens).toBeGreaterThan(0);
    expect(JSON.stringify(record)).not.toContain(KEY);
  });
});
