// Run: REDIS_URL=redis://127.0.0.1:6379 npm run switchyard -- start --config examples/governance/switchyard.config.ts
// Two apps with their own keys, limits and a team spend cap, shared by every instance on one Redis
// (without REDIS_URL each instance counts in its own memory). Every request is logged to
// logs/governance.jsonl, and to Postgres when DATABASE_URL is set (then /ready requires it).
import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { auth, budget, cost, log, rateLimit } from "switchyard/plugins";
import { fileSink, postgresSink } from "switchyard/sinks";
import { memoryStore, redisStore } from "switchyard/stores";

const database = process.env.DATABASE_URL;
const store = process.env.REDIS_URL ? redisStore({ url: process.env.REDIS_URL, prefix: "switchyard-demo:" }) : memoryStore();

export default defineConfig({
  providers: { mock: mock({ chunkDelayMs: 20 }) },
  plugins: [
    auth({
      keys: [
        { id: "search-app", key: process.env.SEARCH_APP_KEY ?? "sk-demo-search-app", team: "search", tags: ["prod"] },
        { id: "batch-jobs", key: process.env.BATCH_JOBS_KEY ?? "sk-demo-batch-jobs", team: "search", metadata: { owner: "data-platform" } },
      ],
    }),
    rateLimit({ per: "key", rpm: 60, tpm: 50_000, concurrent: 4, store }),
    rateLimit({ per: "team", tpm: 80_000, store }),
    // The mock is free; give it a price so the cost header and the budget have something to count.
    cost({ prices: { "mock/mock": { input: 2, output: 10 } } }),
    budget({ per: "team", usd: 1, period: "day", store }),
    log({
      sinks: [fileSink({ path: "logs/governance.jsonl" }), ...(database ? [postgresSink({ url: database, table: "switchyard_demo_requests" })] : [])],
      required: database ? ["postgres"] : false,
    }),
  ],
});
