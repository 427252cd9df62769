// Run: npm run switchyard -- start --config examples/operations/switchyard.config.ts --watch --workers 2
// Keys, teams, limits and budgets managed at runtime through the admin API (see the README's
// "Operating the gateway"). With DATABASE_URL, keys live in Postgres and every instance follows
// them; with REDIS_URL, limits and budgets are shared by every instance. Without either, both stay
// in this server's memory (across reloads and workers, not across restarts).
import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { admin, auth, budget, cost, metrics, rateLimit, route } from "switchyard/plugins";
import { memoryKeyStore, memoryStore, postgresKeyStore, redisStore } from "switchyard/stores";

const keys = process.env.DATABASE_URL ? postgresKeyStore({ url: process.env.DATABASE_URL, snapshot: ".switchyard/operations-keys.json" }) : memoryKeyStore();
const counters = process.env.REDIS_URL ? redisStore({ url: process.env.REDIS_URL, prefix: "switchyard-operations:" }) : memoryStore();

export default defineConfig({
  providers: { mock: mock({ chunkDelayMs: 20 }) },
  plugins: [
    // One config key to start with; the rest are made with POST /admin/v1/keys.
    auth({ keys: [{ id: "bootstrap", key: process.env.BOOTSTRAP_KEY ?? "sk-demo-bootstrap", team: "platform" }], store: keys }),
    admin({ keys: [{ id: "ops", key: process.env.SWITCHYARD_ADMIN_KEY ?? "sk-demo-admin-0123456789" }], store: keys }),
    route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
    // Defaults for keys and teams that set none of their own.
    rateLimit({ per: "key", rpm: 600, tpm: 200_000, store: counters }),
    rateLimit({ per: "team", store: counters }),
    cost({ prices: { "mock/mock": { input: 2, output: 10 } } }),
    budget({ per: "key", store: counters }),
    budget({ per: "team", store: counters }),
    metrics(),
  ],
});
