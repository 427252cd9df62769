/**
 * Deterministic CI gates, each figure against a committed budget (bench/gates/budgets.json):
 *   core bundle size (minified + gzip), heap bytes allocated and retained per in-process request,
 *   and the RSS growth of the short soak after its warm-up.
 * Exits 1 when any gate fails. Timing is never gated here: it is too noisy on shared machines.
 * Run: npm run bench:gates [-- --soak-report FILE | --skip-soak]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGateway, type Gateway } from "../../core/gateway.ts";
import { definePlugin } from "../../core/plugin.ts";
import { auth, circuitBreaker, cost, fallback, rateLimit, route } from "../../plugins/index.ts";
import { mock } from "../../providers/mock.ts";
import type { SoakReport } from "../report/soak-report.ts";
import { parseFlags } from "../soak/flags.ts";
import { measureAllocations } from "./allocations.ts";
import { coreBundleSize } from "./bundle-size.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const budgets = JSON.parse(readFileSync(join(root, "bench/gates/budgets.json"), "utf8")) as {
  coreBundleGzipBytes: number;
  coreWithoutDialectsGzipBytes: number;
  allocatedBytesPerRequest: Record<string, number>;
  retainedBytesPerRequest: number;
  shortSoakRssGrowth: number;
};
const flags = parseFlags(process.argv.slice(2));

interface Gate {
  name: string;
  figure: string;
  budget: string;
  pass: boolean;
}
const gates: Gate[] = [];
const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;
const bytes = (n: number): string => `${Math.round(n)} B`;

const bundle = await coreBundleSize(join(root, "core/index.ts"));
gates.push({ name: "core bundle with its dialects, minified + gzip", figure: `${kB(bundle.gzip)} (${kB(bundle.minified)} minified)`, budget: kB(budgets.coreBundleGzipBytes), pass: bundle.gzip <= budgets.coreBundleGzipBytes });
const own = await coreBundleSize(join(root, "core/index.ts"), true);
gates.push({ name: "core bundle without dialects, minified + gzip", figure: `${kB(own.gzip)} (${kB(own.minified)} minified)`, budget: kB(budgets.coreWithoutDialectsGzipBytes), pass: own.gzip <= budgets.coreWithoutDialectsGzipBytes });

const chat = (extra: Record<string, unknown>): string => JSON.stringify({ messages: [{ role: "user", content: "Where is order 1234? It left the depot yesterday." }], max_tokens: 100, ...extra });
const request = (body: string, headers: Record<string, string> = {}, path = "/v1/chat/completions") => () =>
  new Request(`http://gateway.local${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const messages = JSON.stringify({ model: "mock/mock", max_tokens: 100, messages: [{ role: "user", content: "Where is order 1234? It left the depot yesterday." }] });

const bare = await createGateway({ providers: { mock: mock() } });
const full = await createGateway({
  providers: { mock: mock(), spare: mock() },
  plugins: [
    auth({ keys: [{ id: "gate", key: "sk-gate-allocations", team: "gates" }] }),
    rateLimit({ per: "key", rpm: 1_000_000_000, tpm: 1_000_000_000, concurrent: 10_000 }),
    route({ models: { chat: [{ provider: "mock", model: "mock" }, { provider: "spare", model: "mock" }] } }),
    fallback({ retries: 0 }),
    cost({ prices: { "mock/mock": { input: 0.15, output: 0.6 } } }),
    circuitBreaker({ failures: 5, cooldownMs: 5_000 }),
  ],
});
// A chunk hook that reads every event: what a stream pays once any plugin registers one.
const hooked = await createGateway({
  providers: { mock: mock() },
  plugins: [definePlugin({ name: "chunk-reader", onChunk: (_ctx, event) => void event.type })],
});
const cases: [string, Gateway, () => Request][] = [
  ["bare JSON", bare, request(chat({ model: "mock/mock" }))],
  ["bare stream", bare, request(chat({ model: "mock/mock", stream: true }))],
  ["full chain JSON", full, request(chat({ model: "chat" }), { authorization: "Bearer sk-gate-allocations" })],
  ["translated JSON, messages to chat", bare, request(messages, { "anthropic-version": "2023-06-01" }, "/v1/messages")],
  ["stream with a chunk hook", hooked, request(chat({ model: "mock/mock", stream: true }))],
];
for (const [name, gateway, make] of cases) {
  const figures = await measureAllocations(gateway, make);
  const budget = budgets.allocatedBytesPerRequest[name];
  gates.push({ name: `heap allocated per request, ${name}`, figure: bytes(figures.allocatedPerRequest), budget: bytes(budget), pass: figures.allocatedPerRequest <= budget });
  const retained = figures.retainedPerRequest;
  gates.push({ name: `heap retained per request after GC, ${name}`, figure: `${retained.toFixed(1)} B`, budget: bytes(budgets.retainedBytesPerRequest), pass: retained <= budgets.retainedBytesPerRequest });
}
await bare.close({ timeoutMs: 1000 });
await full.close({ timeoutMs: 1000 });
await hooked.close({ timeoutMs: 1000 });

if (!flags.has("skip-soak")) {
  let reportPath = flags.get("soak-report");
  if (reportPath === undefined) {
    console.log("gates: running the short soak (npm run soak:ci) …");
    const soak = spawnSync(process.execPath, [join(root, "scripts/run-ts.mjs"), join(root, "bench/soak/soak.ts"), "--ci"], { cwd: root, stdio: "inherit" });
    if (soak.status !== 0 && soak.status !== 1) throw new Error(`short soak could not run (exit ${soak.status})`);
    reportPath = join(root, "bench/results/soak-ci.json");
  }
  const report = JSON.parse(readFileSync(reportPath, "utf8")) as SoakReport;
  const growth = report.analysis.rss?.change ?? null;
  const limit = budgets.shortSoakRssGrowth;
  gates.push({
    name: `short soak RSS growth after warm-up (${report.minutes} min)`,
    figure: growth === null ? "n/a" : `${(growth * 100).toFixed(1)}%`,
    budget: `${(limit * 100).toFixed(0)}%`,
    pass: growth !== null && growth <= limit,
  });
  const failures = report.analysis.checks.find((c) => c.name === "failed requests");
  if (failures !== undefined) console.log(`gates: short soak failed requests ${failures.detail} (reported, not gated)`);
}

const width = Math.max(...gates.map((g) => g.name.length));
console.log(`\n${"gate".padEnd(width)}  ${"figure".padEnd(28)}  ${"budget".padEnd(10)}  result`);
for (const g of gates) console.log(`${g.name.padEnd(width)}  ${g.figure.padEnd(28)}  ${g.budget.padEnd(10)}  ${g.pass ? "pass" : "FAIL"}`);
const failed = gates.filter((g) => !g.pass);
console.log(failed.length === 0 ? "\ngates: all pass" : `\ngates: ${failed.length} failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
