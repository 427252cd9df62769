// The soak's gateway: the full chain in front of bench/soak/upstream.ts.
// SOAK_UPSTREAM_URL is the upstream process's base URL; SOAK_LOG_FILE, when set and when this
// installation has a `log` plugin, receives the request log. SOAK_REDIS_URL, when set, puts the
// rate limits, budget and cache in that Redis instead of memory.
import { defineConfig, type Plugin } from "switchyard";
import { openai } from "switchyard/providers";
import * as builtins from "switchyard/plugins";
import { auth, budget, cache, circuitBreaker, cost, fallback, rateLimit, redisCacheStore, route } from "switchyard/plugins";
import { redisStore } from "switchyard/stores";
import { SOAK_KEYS } from "./mix.ts";

const upstream = process.env.SOAK_UPSTREAM_URL ?? "http://127.0.0.1:4010";

// Deno and Bun have no --import preload: their sampler comes in with the config.
if (process.env.SWITCHYARD_SAMPLER_PORTABLE === "1") await import("./sampler-portable.ts");


type Factory = (options: unknown) => unknown;

/** The request log when this build has one (it is optional here so the soak runs on every branch). */
async function requestLog(path: string | undefined): Promise<Plugin | null> {
  const log = (builtins as Record<string, unknown>).log as Factory | undefined;
  if (path === undefined || typeof log !== "function") return null;
  // A variable specifier: resolved at run time through the package's own exports map.
  const sinksEntry = "switchyard/sinks";
  const sinks = (await import(sinksEntry).catch(() => ({}))) as Record<string, unknown>;
  const fileSink = (sinks.fileSink ?? (builtins as Record<string, unknown>).fileSink) as Factory | undefined;
  if (typeof fileSink !== "function") return null;
  return log({ sinks: [fileSink({ path })] }) as Plugin;
}

const logPlugin = await requestLog(process.env.SOAK_LOG_FILE);

const redisUrl = process.env.SOAK_REDIS_URL;
// One prefix per run: counters and cached answers of earlier runs must not be found.
const prefix = `switchyard-soak:${process.pid}:`;
const counters = redisUrl === undefined ? undefined : redisStore({ url: redisUrl, prefix });
const shared = redisUrl === undefined ? [] : [budget({ per: "key", usd: 1_000_000, period: "day", store: counters })];

export default defineConfig({
  providers: {
    a: openai({ baseURL: `${upstream}/a/v1` }),
    b: openai({ baseURL: `${upstream}/b/v1` }),
    flaky: openai({ baseURL: `${upstream}/flaky/v1` }),
  },
  plugins: [
    auth({ keys: SOAK_KEYS.map((key, i) => ({ id: `soak-app-${i + 1}`, key, team: "soak" })) }),
    // Far above the soak's rate: the limiter does all its work and never refuses.
    rateLimit({ per: "key", rpm: 10_000_000, tpm: 10_000_000_000, concurrent: 10_000, store: counters }),
    route({
      models: {
        "soak-chat": [{ provider: "a", model: "steady-a" }, { provider: "b", model: "steady-b" }],
        "soak-flaky": [{ provider: "flaky", model: "flaky" }, { provider: "b", model: "steady-b" }],
      },
    }),
    fallback({ retries: 0, on: [429, "5xx", "timeout", "network"] }),
    cost({ prices: { "a/steady-a": { input: 0.15, output: 0.6 }, "b/steady-b": { input: 0.5, output: 1.5 }, "flaky/flaky": { input: 0.15, output: 0.6 } } }),
    circuitBreaker({ failures: 5, cooldownMs: 5_000 }),
    // Small, so it fills during warm-up and the run shows its bound holding.
    cache({ ttl: 300, maxBytes: 1024 * 1024, store: redisUrl === undefined ? undefined : redisCacheStore({ url: redisUrl, prefix: `${prefix}cache:` }) }),
    ...shared,
    ...(logPlugin !== null ? [logPlugin] : []),
  ],
});
