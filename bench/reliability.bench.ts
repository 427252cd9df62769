/**
 * What routing and reliability cost per request:
 * 1. a route plan per strategy (the pick and the plan array);
 * 2. the cache key of a typical chat request (normalised JSON + SHA-256);
 * 3. a whole in-process chat request (mock provider, JSON) through a plain alias, through route +
 *    fallback + circuit breaker with a latency strategy, and as a cache hit.
 * Run: npm run bench:reliability
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { createGateway } from "../core/gateway.ts";
import { mock } from "../providers/mock.ts";
import { cache, circuitBreaker, fallback, route } from "../plugins/index.ts";
import { plan, type Candidates, type RouteStrategy } from "../plugins/route/strategies.ts";
import { TargetStats } from "../plugins/route/stats.ts";
import { canonicalJson, sha256Hex } from "../plugins/cache/key.ts";

const targets = ["a", "b", "c"].map((provider, i) => ({ provider, model: "m", weight: i + 1 }));
const stats = targets.map((t, i) => Object.assign(new TargetStats(t.provider, t.model), { samples: 5, latencyMs: 100 - i * 10, inFlight: 3 - i }));
const candidates = (strategy: RouteStrategy): Candidates => ({
  strategy,
  targets,
  stats,
  cumulative: [1, 3, 6],
  rest: [],
  ordered: targets,
});
const tuning = { random: Math.random, exploration: 0.1 };

const chat = {
  model: "fast",
  temperature: 0.2,
  messages: [
    { role: "system", content: "You are a helpful assistant. ".repeat(10) },
    { role: "user", content: "Summarise the following text in three bullet points. ".repeat(20) },
  ],
};
const chatText = JSON.stringify(chat);

const bodyFor = (model: string): string => JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] });
const post = (gateway: { request(path: string, init?: RequestInit): Promise<Response> }, model: string) =>
  gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: bodyFor(model) });

const providers = { a: mock(), b: mock() };
const list = [{ provider: "a", model: "m" }, { provider: "b", model: "m" }];
const plain = await createGateway({ providers, plugins: [route({ models: { fast: list } })] });
const reliable = await createGateway({
  providers,
  plugins: [route({ models: { fast: { strategy: "latency", targets: list } } }), fallback(), circuitBreaker()],
});
const cached = await createGateway({ providers, plugins: [route({ models: { fast: list } }), cache({ ttl: 3600 })] });
await (await post(cached, "fast")).text();
await new Promise((resolve) => setTimeout(resolve, 10));

group("route plan (3 targets)", () => {
  summary(() => {
    for (const strategy of ["ordered", "weighted", "latency", "least-in-flight"] as const) {
      const c = candidates(strategy);
      bench(strategy, () => do_not_optimize(plan(c, tuning)));
    }
  });
});

group("cache key (chat request, ~1.4 kB)", () => {
  bench("normalise JSON", () => do_not_optimize(canonicalJson(JSON.parse(chatText))));
  bench("normalise + SHA-256", async () => do_not_optimize(await sha256Hex(canonicalJson(JSON.parse(chatText)))));
});

group("in-process chat request", () => {
  summary(() => {
    bench("alias, route only", async () => do_not_optimize(await (await post(plain, "fast")).text()));
    bench("route(latency) + fallback + circuitBreaker", async () => do_not_optimize(await (await post(reliable, "fast")).text()));
    bench("cache hit (no upstream)", async () => do_not_optimize(await (await post(cached, "fast")).text()));
  });
});

await run();
