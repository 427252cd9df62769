// Run: npm run switchyard -- start --config examples/reliability/switchyard.config.ts
// Routing strategies, rules and regions, retries and fallback, circuit breaking, timeouts and a
// response cache, on built-in mock providers (set OPENAI_API_KEY to put OpenAI first).
import { defineConfig } from "switchyard";
import { mock, openai } from "switchyard/providers";
import { auth, cache, circuitBreaker, fallback, route } from "switchyard/plugins";

const hasOpenAI = Boolean(process.env.OPENAI_API_KEY);

export default defineConfig({
  providers: {
    // Per-provider timeouts: connect, first byte, longest gap between stream chunks, whole attempt.
    "mock-eu": mock({ latencyMs: 40, chunkDelayMs: 20, timeouts: { firstByteMs: 5_000, idleMs: 10_000, totalMs: 120_000 } }),
    "mock-us": mock({ latencyMs: 10, chunkDelayMs: 20 }),
    ...(hasOpenAI ? { openai: openai({ apiKey: process.env.OPENAI_API_KEY, timeouts: { connectMs: 3_000, firstByteMs: 30_000 } }) } : {}),
  },
  plugins: [
    auth({
      keys: [
        { id: "eu-app", key: "sk-demo-eu-app", region: "eu" },
        { id: "global-app", key: "sk-demo-global", team: "research", regions: ["eu", "us"] },
      ],
    }),
    route({
      models: {
        // Weighted: three in four first attempts to mock-us; the rest of the list is the fallback order.
        fast: [
          ...(hasOpenAI ? [{ provider: "openai", model: "gpt-4o-mini", weight: 0 }] : []),
          { provider: "mock-us", model: "small", weight: 3, region: "us" },
          { provider: "mock-eu", model: "small", weight: 1, region: "eu", timeouts: { firstByteMs: 2_000 } },
        ],
        // Latency-aware, with a rule: the research team gets its own list.
        smart: {
          strategy: "latency",
          targets: [{ provider: "mock-us", model: "large" }, { provider: "mock-eu", model: "large" }],
          rules: [{ when: { team: "research" }, strategy: "least-in-flight", targets: [{ provider: "mock-eu", model: "large" }, { provider: "mock-us", model: "large" }] }],
        },
      },
      // Requests go to their key's region; `x-switchyard-region` picks another one the key allows.
      region: { fallback: "none" },
    }),
    fallback({ retries: 1, on: [408, 409, 429, "5xx", "timeout", "network"], backoff: { baseMs: 200, maxMs: 2_000 }, budget: 4 }),
    circuitBreaker({ failures: 5, errorRate: 0.5, minRequests: 20, cooldownMs: 30_000 }),
    cache({ ttl: 300, maxBytes: 32 * 1024 * 1024 }),
  ],
  limits: { maxTimeoutMs: 300_000 },
});
