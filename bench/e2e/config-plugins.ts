// One gateway per plugin set for bench/e2e/plugin-cost.ts: BENCH_PLUGINS names the built-in
// plugins to chain (comma-separated, in the full chain's order; empty: none), with the same
// options as config-full.ts. BENCH_LOG_SINK=discard gives `log` a sink that drops its batches,
// to tell the plugin's own cost (the record, the queue) from the file sink's. `noop` is a plugin
// whose only hook is an empty onComplete: what the completion step itself costs.
import { defineConfig, definePlugin, type LogSink, type Plugin } from "switchyard";
import { openai } from "switchyard/providers";
import { auth, cost, fallback, log, rateLimit, route } from "switchyard/plugins";
import { fileSink } from "switchyard/sinks";

const wanted = new Set((process.env.BENCH_PLUGINS ?? "").split(",").filter(Boolean));
const discard: LogSink = { name: "discard", write: () => Promise.resolve() };
const sink = (): LogSink => (process.env.BENCH_LOG_SINK === "discard" ? discard : fileSink({ path: process.env.BENCH_LOG_FILE ?? "bench-plugins.jsonl" }));

const plugins: Plugin[] = [];
if (wanted.has("auth")) plugins.push(auth({ keys: [{ id: "bench", key: "sk-bench-key", team: "bench" }] }));
if (wanted.has("rateLimit")) plugins.push(rateLimit({ per: "key", rpm: 1_000_000_000, tpm: 1_000_000_000_000, concurrent: 10_000 }));
// The route takes the name the other sets address directly, so one request body serves every set.
if (wanted.has("route")) plugins.push(route({ models: { "upstream/bench-model": [{ provider: "upstream", model: "bench-model" }] } }));
if (wanted.has("fallback")) plugins.push(fallback({ retries: 1 }));
if (wanted.has("cost")) plugins.push(cost({ prices: { "upstream/bench-model": { input: 0.15, output: 0.6 } } }));
if (wanted.has("log")) plugins.push(log({ sinks: [sink()] }));
if (wanted.has("noop")) plugins.push(definePlugin({ name: "noop", onComplete() {} }));

export default defineConfig({
  providers: { upstream: openai({ baseURL: `${process.env.BENCH_UPSTREAM_URL}/v1`, apiKey: "sk-upstream-bench" }) },
  plugins,
});
