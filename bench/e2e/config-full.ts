// The gateway with the full default chain: auth, rate limit, route, fallback, cost, and request
// logging to a file (BENCH_LOG_FILE) when this installation has a log plugin and a file sink.
// Limits are far above what the bench sends, so every request runs the whole chain and passes.
import { defineConfig, type Plugin } from "switchyard";
import * as builtIn from "switchyard/plugins";
import { openai } from "switchyard/providers";
import { auth, cost, fallback, rateLimit, route } from "switchyard/plugins";

type LogFactory = (options: { sinks: unknown[] }) => Plugin;
type FileSinkFactory = (options: { path: string }) => unknown;

/** The log plugin with a file sink, or null when this build has none (checked at load time, not bundled). */
async function fileLogging(path: string | undefined): Promise<Plugin | null> {
  const log = (builtIn as Record<string, unknown>).log as LogFactory | undefined;
  if (typeof log !== "function" || path === undefined) return null;
  // A variable specifier keeps the bundler from resolving it: a build without sinks loads fine.
  const sinksEntry = "switchyard/sinks";
  const sinks = (await import(sinksEntry).catch(() => ({}))) as { fileSink?: FileSinkFactory };
  if (typeof sinks.fileSink !== "function") return null;
  return log({ sinks: [sinks.fileSink({ path })] });
}

type AdminFactory = (options: { keys: { id: string; key: string }[]; store: unknown }) => Plugin;
type DashboardFactory = () => Plugin;

/**
 * bench:compare --dashboard: the admin API (BENCH_ADMIN=1) and `dashboard()` (BENCH_DASHBOARD=1),
 * looked up at load time so a build without them still loads.
 */
async function operations(): Promise<Plugin[]> {
  if (process.env.BENCH_ADMIN !== "1") return [];
  const plugins = builtIn as Record<string, unknown>;
  const storesEntry = "switchyard/stores";
  const stores = (await import(storesEntry)) as { memoryKeyStore: () => unknown };
  const out = [(plugins.admin as AdminFactory)({ keys: [{ id: "bench-admin", key: "sk-bench-admin-0123456789" }], store: stores.memoryKeyStore() })];
  if (process.env.BENCH_DASHBOARD === "1") out.push((plugins.dashboard as DashboardFactory)());
  return out;
}

const logging = await fileLogging(process.env.BENCH_LOG_FILE);
const operated = await operations();
if (operated.length > 0) console.error(`bench full chain: with ${operated.map((p) => p.name).join(" and ")}`);
console.error(`bench full chain: logging ${logging === null ? "off (no log plugin with a file sink in this build)" : `on (${process.env.BENCH_LOG_FILE})`}`);

export default defineConfig({
  providers: { upstream: openai({ baseURL: `${process.env.BENCH_UPSTREAM_URL}/v1`, apiKey: "sk-upstream-bench" }) },
  plugins: [
    auth({ keys: [{ id: "bench", key: "sk-bench-key", team: "bench" }] }),
    rateLimit({ per: "key", rpm: 1_000_000_000, tpm: 1_000_000_000_000, concurrent: 10_000 }),
    route({ models: { bench: [{ provider: "upstream", model: "bench-model" }] } }),
    fallback({ retries: 1 }),
    cost({ prices: { "upstream/bench-model": { input: 0.15, output: 0.6 } } }),
    ...(logging === null ? [] : [logging]),
    ...operated,
  ],
});
