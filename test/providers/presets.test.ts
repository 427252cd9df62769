/**
 * The OpenAI-format presets: each one's documented base URL, key and operations, the provider
 * conformance suite against the OpenAI-format mock, and the fields each refuses left out of what
 * is sent (passed-through and translated bodies alike) and reported in `x-switchyard-dropped`.
 */
import { describe, expect, it } from "vitest";
import type { ProviderAdapter } from "../../core/provider.ts";
import { route } from "../../plugins/index.ts";
import { deepseek, fireworks, groq, lmstudio, mistral, ollama, openrouter, together, vllm, xai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, providerConformance } from "../../testing/index.ts";

const KEY = "preset-key-0123456789";
const PRESETS = [
  { make: mistral, kind: "mistral", url: "https://api.mistral.ai/v1/chat/completions", embeddings: true },
  { make: groq, kind: "groq", url: "https://api.groq.com/openai/v1/chat/completions", embeddings: false },
  { make: together, kind: "together", url: "https://api.together.xyz/v1/chat/completions", embeddings: true },
  { make: fireworks, kind: "fireworks", url: "https://api.fireworks.ai/inference/v1/chat/completions", embeddings: true },
  { make: deepseek, kind: "deepseek", url: "https://api.deepseek.com/chat/completions", embeddings: false },
  { make: xai, kind: "xai", url: "https://api.x.ai/v1/chat/completions", embeddings: false },
  { make: openrouter, kind: "openrouter", url: "https://openrouter.ai/api/v1/chat/completions", embeddings: false },
  { make: ollama, kind: "ollama", url: "http://localhost:11434/v1/chat/completions", embeddings: true },
  { make: vllm, kind: "vllm", url: "http://localhost:8000/v1/chat/completions", embeddings: true },
  { make: lmstudio, kind: "lmstudio", url: "http://localhost:1234/v1/chat/completions", embeddings: true },
];

async function urlOf(adapter: ProviderAdapter): Promise<{ url: string; headers: Headers }> {
  const mock = mockUpstream();
  let seen: Request | null = null;
  const upstream = inProcessUpstream(async (request) => {
    seen = request.clone();
    return mock.fetch(request);
  });
  await adapter.send({ provider: "p", operation: "generate", format: "openai", model: "m", bodyText: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }), stream: false, headers: {}, signal: new AbortController().signal, connectTimeoutMs: undefined, upstream });
  return { url: seen!.url, headers: seen!.headers };
}

describe("presets", () => {
  for (const preset of PRESETS) {
    describe(preset.kind, () => {
      it("calls its documented base URL with the key as a Bearer token, and serves embeddings only where the server does", async () => {
        const adapter = preset.make({ apiKey: KEY });
        expect(adapter.kind).toBe(preset.kind);
        expect(adapter.format).toBe("openai");
        expect(adapter.operations?.includes("embed") ?? false).toBe(preset.embeddings);
        const { url, headers } = await urlOf(adapter);
        expect(url).toBe(preset.url);
        expect(headers.get("authorization")).toBe(`Bearer ${KEY}`);
      });
      const mock = mockUpstream({ apiKey: KEY });
      // The mock, like OpenAI, reports stream usage only when asked; Mistral itself always does.
      const adapter = preset.make({ apiKey: KEY, baseURL: "http://upstream.test/v1", streamUsage: true });
      for (const check of providerConformance({ adapter, mock, model: "some-model" })) it(check.name, check.run);
    });
  }

  it("a baseURL option wins over the preset's", async () => {
    expect((await urlOf(ollama({ baseURL: "http://gpu-box:11434/v1/" }))).url).toBe("http://gpu-box:11434/v1/chat/completions");
  });

  it("refuses nothing the documentation does not name", () => {
    for (const make of [together, fireworks, openrouter, vllm, lmstudio]) expect(make().rejects).toBeUndefined();
    expect(deepseek().rejects!("deepseek-chat")).toEqual([]);
    expect(xai().rejects!("grok-4-fast-non-reasoning")).toEqual([]);
    expect(xai().rejects!("grok-2-1212")).toEqual([]);
    expect(xai().rejects!("grok-4")).toEqual(["presence_penalty", "frequency_penalty", "stop"]);
    expect(xai().reasoning!("grok-4")).toBe(false);
    expect(xai().reasoning!("grok-3-mini")).toBe(true);
  });
});

describe("fields a preset refuses, through the gateway", () => {
  async function setup() {
    const mock = mockUpstream({ apiKey: KEY });
    const gateway = await createTestGateway({
      providers: {
        groq: groq({ apiKey: KEY, baseURL: "http://groq.test/openai/v1" }),
        deepseek: deepseek({ apiKey: KEY, baseURL: "http://deepseek.test" }),
        mistral: mistral({ apiKey: KEY, baseURL: "http://mistral.test/v1" }),
      },
      plugins: [route({ models: { fast: [{ provider: "groq", model: "llama-3.3-70b-versatile" }], think: [{ provider: "deepseek", model: "deepseek-reasoner" }], chat: [{ provider: "deepseek", model: "deepseek-chat" }], mistral: [{ provider: "mistral", model: "mistral-small-latest" }] } })],
      upstream: inProcessUpstream(mock.fetch),
    });
    return { gateway, mock };
  }

  it("leaves Groq's refused fields out of a passed-through body and says so; the rest arrives as sent", async () => {
    const { gateway, mock } = await setup();
    const response = await gateway.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi" }], logprobs: true, top_logprobs: 2, temperature: 0.3, future_field: { keep: 1 } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-dropped")).toBe("logprobs, top_logprobs");
    const body = mock.calls[0].body!;
    expect(body).not.toHaveProperty("logprobs");
    expect(body).not.toHaveProperty("top_logprobs");
    expect(body).toMatchObject({ model: "llama-3.3-70b-versatile", temperature: 0.3, future_field: { keep: 1 } });
  });

  it("leaves a body untouched, byte for byte, when it has none of them", async () => {
    const { gateway, mock } = await setup();
    const text = '{"model":"chat","messages":[{"role":"user","content":"hi"}],"temperature":1.50}';
    const response = await gateway.post("/v1/chat/completions", text);
    expect(response.headers.get("x-switchyard-dropped")).toBeNull();
    expect(mock.calls[0].rawBody).toBe(text.replace('"chat"', '"deepseek-chat"'));
  });

  it("leaves DeepSeek reasoner's refused fields out of a translated request too", async () => {
    const { gateway, mock } = await setup();
    const response = await gateway.post("/v1/messages", { model: "think", max_tokens: 100, temperature: 0.2, top_p: 0.9, messages: [{ role: "user", content: "think" }] }, { "anthropic-version": "2023-06-01" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchyard-dropped")).toBe("temperature, top_p");
    expect(mock.calls[0].body).not.toHaveProperty("temperature");
    expect(mock.calls[0].body).not.toHaveProperty("top_p");
    expect(mock.calls[0].body).toMatchObject({ model: "deepseek-reasoner", max_completion_tokens: 100 });
  });

  it("sends Mistral its own names for the output limit and the seed, and never adds stream_options (its streams report usage unasked)", async () => {
    const { gateway, mock } = await setup();
    const response = await gateway.post("/v1/chat/completions", { model: "mistral", stream: true, seed: 7, max_completion_tokens: 50, logit_bias: { "50256": -100 }, messages: [{ role: "user", content: "hi" }] });
    await response.text();
    expect(response.headers.get("x-switchyard-dropped")).toBe("logit_bias");
    expect(mock.calls[0].body).toEqual({ model: "mistral-small-latest", stream: true, random_seed: 7, max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
  });
});
