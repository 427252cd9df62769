/**
 * The built-in plugins work unchanged on `/v1/messages`: they read the neutral view (model,
 * principal, estimated and reported usage), and what they answer is rendered in Anthropic's shape.
 */
import Anthropic from "@anthropic-ai/sdk";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { describe, expect, it } from "vitest";
import { buildLogRecord, definePlugin, type Plugin, type RequestContext } from "../../core/index.ts";
import { auth, budget, cache, cost, fallback, metrics, PRICES, rateLimit, requestCost, route } from "../../plugins/index.ts";
import { tracing } from "../../plugins/tracing/index.ts";
import { anthropic, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, type MockUpstream } from "../../testing/index.ts";

const KEY = "sk-virt-messages-0001";

async function setup(plugins: Plugin[], upstream: MockUpstream = mockUpstream()) {
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: "sk-ant-up" }),
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }),
    },
    plugins: [
      auth({ keys: [{ id: "app", key: KEY, team: "t" }] }),
      route({ models: { sonnet: [{ provider: "claude", model: "claude-sonnet-4-5" }, { provider: "gpt", model: "gpt-4o-mini" }] } }),
      ...plugins,
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const client = new Anthropic({ apiKey: KEY, baseURL: "http://gateway.test", fetch, maxRetries: 0 });
  return { gateway, upstream, seen, client };
}

const ask = (client: Anthropic, content = "Hello", extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) =>
  client.messages.create({ model: "sonnet", max_tokens: 100, messages: [{ role: "user", content }], ...extra });

describe("plugins on /v1/messages", () => {
  it("fallback crosses formats: an Anthropic 529 falls back to an OpenAI-format target, JSON and streams", async () => {
    const { client, upstream } = await setup([fallback({ retries: 0 })]);
    upstream.fail({ status: 529 });
    const { data, response } = await ask(client).withResponse();
    expect(data.content[0]).toMatchObject({ type: "text", text: 'This is a mock reply from Switchyard. You said: "Hello"' });
    expect(response.headers.get("x-switchyard-provider")).toBe("gpt");
    expect(response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(upstream.calls.map((call) => call.path)).toEqual(["/v1/messages", "/v1/chat/completions"]);

    upstream.fail({ status: 529 });
    const stream = client.messages.stream({ model: "sonnet", max_tokens: 100, messages: [{ role: "user", content: "Streamed" }] });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: 'This is a mock reply from Switchyard. You said: "Streamed"' });
    expect(upstream.calls.slice(2).map((call) => call.path)).toEqual(["/v1/messages", "/v1/chat/completions"]);
  });

  it("rate limits per key, refusing in Anthropic's shape with retry-after", async () => {
    const { client } = await setup([rateLimit({ per: "key", rpm: 2 })]);
    await ask(client);
    await ask(client);
    const error = await ask(client).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(Number(error.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts tokens per minute from the Messages body's estimate and corrects from reported usage", async () => {
    const { client, seen, gateway } = await setup([rateLimit({ per: "key", tpm: 100_000 })]);
    await ask(client, "x".repeat(4000), { max_tokens: 50 });
    await gateway.drain(1000);
    // ~1000 tokens of text plus framing, plus the 50 reserved for output.
    expect(seen[0].estimatedInputTokens).toBeGreaterThanOrEqual(1000);
    expect(seen[0].maxOutputTokens).toBe(50);
    expect(seen[0].usage?.inputTokens).toBeGreaterThan(900);
  });

  it("prices cache reads and writes, and stops a key over budget in Anthropic's shape", async () => {
    const { client, seen, gateway } = await setup([cost(), budget({ per: "key", usd: 0.0001, period: "day" })]);
    const cached = { system: [{ type: "text" as const, text: "Long instructions. ".repeat(200), cache_control: { type: "ephemeral" as const } }] };
    const first = await ask(client, "one", cached);
    expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(0);
    await gateway.drain(1000);
    const usage = seen[0].usage!;
    expect(usage.cacheWriteTokens).toBe(first.usage.cache_creation_input_tokens);
    expect(seen[0].vars.costUsd).toBeCloseTo(requestCost(PRICES["claude-sonnet-4-5"], usage, Date.now()), 12);
    const over = await ask(client, "two", cached).catch((e) => e);
    expect(over).toBeInstanceOf(Anthropic.RateLimitError);
    expect(over.error.error.message).toMatch(/budget/i);
  });

  it("caches Messages answers, JSON and streams, per key", async () => {
    const { client, upstream, gateway } = await setup([cache({ ttl: 60 })]);
    const a = await ask(client, "cache me").withResponse();
    await gateway.drain(1000);
    const b = await ask(client, "cache me").withResponse();
    expect(b.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(b.data).toEqual(a.data);
    const streamed = async () => (await client.messages.stream({ model: "sonnet", max_tokens: 100, messages: [{ role: "user", content: "cache stream" }] }).finalMessage());
    const s1 = await streamed();
    await gateway.drain(1000);
    const s2 = await streamed();
    expect(s2).toEqual(s1);
    expect(upstream.calls).toHaveLength(2);
  });

  it("logs Messages requests with their surface, usage, cache tokens and what translation dropped", async () => {
    const upstream = mockUpstream();
    const { client, seen, gateway } = await setup([fallback({ retries: 0 })], upstream);
    upstream.fail({ status: 529 });
    await ask(client, "log me", { top_k: 3 } as object);
    await gateway.drain(1000);
    const record = buildLogRecord(seen[0]);
    expect(record).toMatchObject({ surface: "messages", path: "/v1/messages", requested: { model: "sonnet" }, served: { provider: "gpt" }, dropped: ["top_k"], principal: { id: "app" } });
    expect(record.attempts.map((a) => [a.provider, a.status, a.errorCode])).toEqual([["claude", 529, "upstream_overloaded"], ["gpt", 200, null]]);
    expect(record.usage?.outputTokens).toBeGreaterThan(0);
    expect(record.bytes.out).toBeGreaterThan(0);
  });

  it("counts Messages requests and their tokens in /metrics, and traces them as chat spans", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { client, gateway } = await setup([tracing({ tracerProvider: provider }), metrics()]);
    await ask(client, "metered", { system: [{ type: "text", text: "Cached. ".repeat(100), cache_control: { type: "ephemeral" } }] });
    await gateway.drain(1000);
    const text = await (await gateway.request("/metrics")).text();
    expect(text).toMatch(/switchyard_requests_total\{route="sonnet",provider="claude",model="claude-sonnet-4-5",status="200",fault="none"\} 1/);
    expect(text).toMatch(/switchyard_tokens_total\{route="sonnet",provider="claude",model="claude-sonnet-4-5",type="cache_write"\} [1-9]/);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === "chat sonnet");
    expect(request?.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "gen_ai.request.model": "sonnet", "gen_ai.request.max_tokens": 100, "http.route": "/v1/messages" });
    const attempt = spans.find((span) => span.name === "chat claude-sonnet-4-5");
    expect(attempt?.attributes["gen_ai.usage.cache_creation.input_tokens"]).toBeGreaterThan(0);
  });
});
