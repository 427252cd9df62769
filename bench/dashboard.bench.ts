/**
 * What dashboard() costs a request when nobody watches, and what one live tick costs when someone does.
 * mitata, in-process:
 * 1. The dashboard's onComplete alone on a finished request (its log record into the ring, the
 *    counters, the per-target tallies), beside building a log record (what the log plugin does).
 * 2. One whole chat request (mock provider, JSON, plus one event-loop turn so onComplete runs
 *    inside the timed loop) through the same chain with and without dashboard().
 * 3. The figures of one live tick (a 60 s window and the last two slots of a full hour's ring).
 * Run: npm run bench:dashboard
 */
import { bench, do_not_optimize, run, summary } from "mitata";
import { RequestContext } from "../core/context.ts";
import { buildLogRecord } from "../core/log-record.ts";
import type { OnCompleteHook } from "../core/plugin.ts";
import { surfaceInfo } from "../core/surfaces.ts";
import { admin, auth, cost, dashboard, route } from "../plugins/index.ts";
import { Series } from "../plugins/dashboard/series.ts";
import { memoryKeyStore } from "../stores/index.ts";
import { createTestGateway } from "../testing/index.ts";

const KEY = "sk-bench-key-0123456789";
const body = JSON.stringify({ model: "fast", messages: [{ role: "user", content: "Hello, how are you today?" }] });
const init = { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` }, body };

async function gateway(withDashboard: boolean) {
  const store = memoryKeyStore();
  const board = dashboard();
  const gw = await createTestGateway({
    plugins: [
      auth({ keys: [{ id: "bench", key: KEY, team: "bench" }], store }),
      admin({ keys: [{ id: "ops", key: "sk-bench-admin-0123456789" }], store, spendFlushMs: 60_000 }),
      route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
      cost({ prices: { "mock/mock": { input: 0.15, output: 0.6 } } }),
      ...(withDashboard ? [board] : []),
    ],
  });
  return { gw, board };
}

const without = await gateway(false);
const withBoard = await gateway(true);
const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
for (const { gw } of [without, withBoard]) {
  for (let i = 0; i < 2000; i++) await (await gw.request("/v1/chat/completions", init)).text();
  await turn();
}

const request = new Request("http://gateway.local/v1/chat/completions", init);
const ctx = new RequestContext(request, surfaceInfo("chat"), JSON.parse(body) as Record<string, unknown>, "fast", false, 0, body);
ctx.served = { provider: "mock", model: "mock" };
ctx.attempts.push({ index: 0, target: ctx.served, startedAt: 0.1, outcome: "ok", status: 200, firstByteMs: 0.5, durationMs: 0.6, errorCode: null, fault: null, headers: {} });
ctx.status = 200;
ctx.durationMs = 0.8;
ctx.firstByteMs = 0.6;
ctx.usage = { inputTokens: 20, outputTokens: 30, totalTokens: 50, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
ctx.vars.costUsd = 0.00002;
const hook = withBoard.board.onComplete as { handler: OnCompleteHook };

summary(() => {
  bench("build one log record (the log plugin's onComplete)", () => do_not_optimize(buildLogRecord(ctx)));
  bench("dashboard onComplete (ring, counters, tallies)", () => do_not_optimize(hook.handler(ctx)));
});

summary(() => {
  bench("chat request, full chain without dashboard()", async () => {
    await (await without.gw.request("/v1/chat/completions", init)).text();
    await turn();
  });
  bench("chat request, full chain with dashboard()", async () => {
    await (await withBoard.gw.request("/v1/chat/completions", init)).text();
    await turn();
  });
});

const series = new Series(720, 5_000);
const now = Date.now();
for (let i = 0; i < 100_000; i++) series.record({ at: now - (i % 3_600) * 1000, fault: i % 50 === 0 ? "provider" : null, totalMs: (i % 400) + 1, firstByteMs: i % 300, inputTokens: 20, outputTokens: 30, costUsd: 0.00002 });
bench("one live tick's figures (60 s window + last 2 slots)", () => do_not_optimize([series.window(now, 60_000), series.points(now, 2)]));
bench("the Overview's first load (720 points)", () => do_not_optimize(series.points(now)));

await run();
await without.gw.close({ timeoutMs: 500 });
await withBoard.gw.close({ timeoutMs: 500 });
