import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen, type Listener } from "../../runtimes/node.ts";
import { type MockUpstream, mockUpstream } from "../../testing/index.ts";
import { type RunningGateway, type Runtime, startCli } from "../helpers/cli.ts";
import { ANTHROPIC_KEY, METRICS_TOKEN, PROVIDER_KEY, TEAM_KEY, VIRTUAL_KEY } from "./secrets.ts";

/** Short limits, so a fuzzed stall or flood is answered in seconds, and a body limit fuzzing can cross. */
export const FUZZ_LIMITS = { maxBodyBytes: 256 * 1024 };
export const FUZZ_SERVER = { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 2000, maxHeaderBytes: 16 * 1024, maxHeaders: 64 };

export interface FuzzGatewayOptions {
  /** Counters (rate limit, budget) and the cache on this Redis; in memory without it. */
  redisUrl?: string;
  /** A Postgres log sink on this database (next to the file sink), with this table. */
  postgres?: { url: string; table: string };
  /** Log request and response bodies too (redacted), to put the redaction under the fuzz. */
  logBodies?: boolean;
  /** The key prefix of the Redis stores (to read them back in a test). Default: one per gateway process. */
  storePrefix?: string;
  /** `log({ queue })`, for suites that hold records through an outage. */
  logQueue?: Record<string, unknown>;
}

export interface FuzzGateway {
  readonly runtime: Runtime;
  readonly url: string;
  readonly gateway: RunningGateway;
  /** The OpenAI-format upstream (key PROVIDER_KEY) and the Anthropic-format one (ANTHROPIC_KEY). */
  readonly openaiUpstream: MockUpstream;
  readonly anthropicUpstream: MockUpstream;
  /** The JSON-lines file the log plugin writes. */
  readonly logPath: string;
  logText(): string;
  close(): Promise<void>;
}

function configSource(openaiUrl: string, anthropicUrl: string, logPath: string, options: FuzzGatewayOptions): string {
  const redis = options.redisUrl === undefined ? null : JSON.stringify(options.redisUrl);
  const prefix = options.storePrefix === undefined ? `"fuzz-" + process.pid + ":"` : JSON.stringify(options.storePrefix);
  const store = redis === null ? "undefined" : `redisStore({ url: ${redis}, prefix: ${prefix}, commandTimeoutMs: 200, connectTimeoutMs: 500, maxReconnectDelayMs: 200 })`;
  const cacheStore = redis === null ? "undefined" : `redisCacheStore({ url: ${redis}, prefix: ${prefix} + "cache:", commandTimeoutMs: 200 })`;
  const sinks = [`fileSink({ path: ${JSON.stringify(logPath)} })`];
  if (options.postgres !== undefined) sinks.push(`postgresSink({ url: ${JSON.stringify(options.postgres.url)}, table: ${JSON.stringify(options.postgres.table)} })`);
  return `import { defineConfig } from "switchyard";
import { anthropic, openai } from "switchyard/providers";
import { auth, budget, cache, cost, log, metrics, rateLimit, redisCacheStore, route } from "switchyard/plugins";
import { fileSink, postgresSink } from "switchyard/sinks";
import { redisStore } from "switchyard/stores";

const store = ${store};
export default defineConfig({
  providers: {
    up: openai({ baseURL: ${JSON.stringify(`${openaiUrl}/v1`)}, apiKey: ${JSON.stringify(PROVIDER_KEY)}, models: ["gpt-4o-mini", "text-embedding-3-small"] }),
    claude: anthropic({ baseURL: ${JSON.stringify(`${anthropicUrl}/v1`)}, apiKey: ${JSON.stringify(ANTHROPIC_KEY)}, models: ["claude-haiku-4-5"] }),
  },
  limits: ${JSON.stringify(FUZZ_LIMITS)},
  server: ${JSON.stringify(FUZZ_SERVER)},
  plugins: [
    auth({ keys: [{ id: "alice", key: ${JSON.stringify(VIRTUAL_KEY)} }, { id: "batch", key: ${JSON.stringify(TEAM_KEY)}, team: "search" }] }),
    rateLimit({ per: "key", rpm: 1_000_000, tpm: 1_000_000_000, store }),
    route({ models: { fast: [{ provider: "up", model: "gpt-4o-mini" }], smart: [{ provider: "claude", model: "claude-haiku-4-5" }] } }),
    cost({ prices: { "up/gpt-4o-mini": { input: 0.15, output: 0.6 }, "claude/claude-haiku-4-5": { input: 1, output: 5 } } }),
    budget({ per: "team", usd: 1_000_000, store }),
    cache({ ttl: 60, store: ${cacheStore} }),
    metrics({ token: ${JSON.stringify(METRICS_TOKEN)} }),
    log({ sinks: [${sinks.join(", ")}], bodies: ${options.logBodies === true}, required: false${options.logQueue === undefined ? "" : `, queue: ${JSON.stringify(options.logQueue)}`} }),
  ],
});
`;
}

/** The fuzz target: the CLI on `runtime`, over real HTTP, with every built-in plugin that reads request bodies. */
export async function startFuzzGateway(runtime: Runtime, options: FuzzGatewayOptions = {}): Promise<FuzzGateway> {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-fuzz-"));
  const logPath = join(dir, "requests.jsonl");
  const openaiUpstream = mockUpstream({ apiKey: PROVIDER_KEY });
  const anthropicUpstream = mockUpstream({ apiKey: ANTHROPIC_KEY });
  const listeners: Listener[] = [await listen(openaiUpstream.fetch, { port: 0 }), await listen(anthropicUpstream.fetch, { port: 0 })];
  const configPath = join(dir, "switchyard.config.ts");
  writeFileSync(configPath, configSource(listeners[0].url, listeners[1].url, logPath, options));
  let gateway: RunningGateway;
  try {
    gateway = await startCli(["--config", configPath], { cwd: dir, runtime });
  } catch (error) {
    for (const listener of listeners) await listener.close(100);
    throw error;
  }
  return {
    runtime,
    url: gateway.url,
    gateway,
    openaiUpstream,
    anthropicUpstream,
    logPath,
    logText: () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : ""),
    async close() {
      await gateway.stop();
      for (const listener of listeners) await listener.close(500);
    },
  };
}
