/**
 * The built-in plugins on the Bedrock and Azure providers (and a preset), through the official
 * `openai` client: fallback between them, cost from the price table, rate limits, budgets, the
 * cache and request logs, on JSON answers and streams alike.
 */
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { definePlugin, type Plugin, type RequestContext } from "../../core/index.ts";
import { auth, budget, cache, cost, fallback, log, PRICES, rateLimit, requestCost, route } from "../../plugins/index.ts";
import { azure, bedrock, groq } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockAzureUpstream, mockBedrockUpstream, mockUpstream } from "../../testing/index.ts";
import { memorySink } from "../logging/memory-sink.ts";

const KEY = "sk-virt-new-providers-01";
const CLAUDE = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const AWS = { accessKeyId: "AKIAMOCKBEDROCK00001", secretAccessKey: "mock-secret-key-0123456789abcdefghij" };

async function setup(plugins: Plugin[]) {
  const bedrockMock = mockBedrockUpstream(AWS);
  const azureMock = mockAzureUpstream({ apiKey: "az-key" });
  const groqMock = mockUpstream({ apiKey: "gq-key" });
  const byHost: Record<string, (request: Request) => Promise<Response>> = { "bedrock.test": bedrockMock.fetch, "azure.test": azureMock.fetch, "groq.test": groqMock.fetch };
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      aws: bedrock({ region: "us-east-1", ...AWS, baseURL: "http://bedrock.test" }),
      az: azure({ baseURL: "http://azure.test", apiKey: "az-key", apiVersion: "2024-10-21" }),
      gq: groq({ baseURL: "http://groq.test/openai/v1", apiKey: "gq-key" }),
    },
    plugins: [
      auth({ keys: [{ id: "app", key: KEY, team: "t" }] }),
      route({ models: { smart: [{ provider: "aws", model: CLAUDE }, { provider: "az", model: "gpt-4o-prod" }], azure: [{ provider: "az", model: "gpt-4o-prod" }, { provider: "aws", model: CLAUDE }], fast: [{ provider: "gq", model: "llama-3.3-70b-versatile" }] } }),
      ...plugins,
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream((request) => byHost[new URL(request.url).host](request)),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const client = new OpenAI({ apiKey: KEY, baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  return { gateway, client, seen, bedrockMock, azureMock, groqMock };
}

const ask = (client: OpenAI, model: string, content = "Hello", extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: "user", content }], max_tokens: 100, ...extra });

async function streamed(client: OpenAI, model: string, content: string): Promise<{ text: string; usage: number }> {
  const stream = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content }] });
  let text = "";
  let usage = 0;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    usage = chunk.usage?.total_tokens ?? usage;
  }
  return { text, usage };
}

describe("plugins on the Bedrock and Azure providers", () => {
  it("fallback: Bedrock throttling moves to Azure, and an Azure 503 to Bedrock, JSON and streams", async () => {
    const { client, bedrockMock, azureMock } = await setup([fallback({ retries: 0 })]);
    bedrockMock.fail({ status: 429 });
    const { data, response } = await ask(client, "smart").withResponse();
    expect(data.choices[0].message.content).toContain("Hello");
    expect(response.headers.get("x-switchyard-provider")).toBe("az");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    azureMock.fail({ status: 503 });
    const fromAzure = await streamed(client, "azure", "Streamed fallback");
    expect(fromAzure.text).toContain("Streamed fallback");
    expect(fromAzure.usage).toBeGreaterThan(0);
    expect(bedrockMock.calls.map((c) => c.path)).toEqual([`/model/${encodeURIComponent(CLAUDE)}/converse`, `/model/${encodeURIComponent(CLAUDE)}/converse-stream`]);
  });

  it("cost: a Bedrock inference profile is priced as its model, from the table", async () => {
    const { client, seen, gateway } = await setup([cost()]);
    await ask(client, "smart", "price me");
    await streamed(client, "smart", "price my stream");
    await gateway.drain(1000);
    for (const ctx of seen) {
      expect(ctx.usage?.inputTokens).toBeGreaterThan(0);
      expect(ctx.vars.costUsd).toBeGreaterThan(0);
      expect(ctx.vars.costUsd).toBeCloseTo(requestCost(PRICES["anthropic.claude-haiku-4-5-20251001-v1:0"], ctx.usage!, Date.now()), 12);
    }
    expect(seen).toHaveLength(2);
  });

  it("rate limits: requests per minute refused in OpenAI's shape; tokens per minute from Bedrock's reported usage", async () => {
    const { client } = await setup([rateLimit({ per: "key", rpm: 2 })]);
    await ask(client, "smart");
    await ask(client, "azure");
    const refused = await ask(client, "smart").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    const { client: tpmClient, seen, gateway } = await setup([rateLimit({ per: "key", tpm: 100_000 })]);
    await streamed(tpmClient, "smart", "x".repeat(2000));
    await gateway.drain(1000);
    expect(seen[0].usage?.inputTokens).toBeGreaterThan(400);
  });

  it("budgets: a key over its budget on Bedrock is stopped", async () => {
    const { client, gateway } = await setup([cost(), budget({ per: "key", usd: 0.000001, period: "day" })]);
    await ask(client, "smart", "spend");
    await gateway.drain(1000);
    const over = await ask(client, "smart", "spend more").catch((e: unknown) => e);
    expect(over).toBeInstanceOf(OpenAI.RateLimitError);
    expect((over as InstanceType<typeof OpenAI.RateLimitError>).message).toMatch(/budget/i);
  });

  it("cache: Bedrock and Azure answers, JSON and streams, are served again without an upstream call", async () => {
    const { client, gateway, bedrockMock, azureMock } = await setup([cache({ ttl: 60 })]);
    const a = await ask(client, "smart", "cache me").withResponse();
    await gateway.drain(1000);
    const b = await ask(client, "smart", "cache me").withResponse();
    expect(b.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(b.data).toEqual(a.data);
    const s1 = await streamed(client, "azure", "cache my stream");
    await gateway.drain(1000);
    const s2 = await streamed(client, "azure", "cache my stream");
    expect(s2).toEqual(s1);
    expect(bedrockMock.calls).toHaveLength(1);
    expect(azureMock.calls).toHaveLength(1);
  });

  it("logs: the served provider and model, usage, attempts and what translation or a preset dropped", async () => {
    const sink = memorySink();
    const { client, gateway, bedrockMock } = await setup([fallback({ retries: 0 }), log({ sinks: [sink] })]);
    bedrockMock.fail({ status: 503 });
    await ask(client, "azure", "to Azure");
    await ask(client, "smart", "with a seed", { seed: 3 });
    await ask(client, "fast", "with logprobs", { logprobs: true });
    await gateway.drain(1000);
    await gateway.close();
    const [viaAzure, viaBedrock, viaGroq] = sink.records;
    expect(viaAzure).toMatchObject({ served: { provider: "az", model: "gpt-4o-prod" }, dropped: null });
    expect(viaBedrock).toMatchObject({ served: { provider: "az" }, dropped: null });
    expect(viaBedrock.attempts.map((a) => [a.provider, a.status])).toEqual([["aws", 503], ["az", 200]]);
    expect(viaGroq).toMatchObject({ served: { provider: "gq" }, dropped: ["logprobs"] });
    expect(viaGroq.usage?.outputTokens).toBeGreaterThan(0);
  });

  it("logs what a Bedrock translation dropped", async () => {
    const sink = memorySink();
    const { client, gateway } = await setup([log({ sinks: [sink] })]);
    const { response } = await ask(client, "smart", "with a seed", { seed: 3, frequency_penalty: 0.5 }).withResponse();
    expect(response.headers.get("x-switchyard-dropped")).toBe("seed, frequency_penalty");
    await gateway.drain(1000);
    await gateway.close();
    expect(sink.records[0]).toMatchObject({ served: { provider: "aws", model: CLAUDE }, dropped: ["seed", "frequency_penalty"] });
    expect(sink.records[0].usage?.inputTokens).toBeGreaterThan(0);
  });
});
