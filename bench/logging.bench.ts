/**
 * What logging costs a request, and whether a dead sink costs anything at all. Four gateways in one
 * run: no logging (the baseline), a file sink, an httpSink to a collector that never answers, and a
 * sink whose write throws.
 * 1. mitata, in-process: one whole chat request (mock provider, JSON) per gateway, plus one
 *    event-loop turn (in-process requests do no I/O, so without it timers, and with them
 *    onComplete and the log queue, would never run inside the timed loop), and building one log
 *    record alone.
 * 2. Memory: heap after N requests through each gateway (after a forced GC), with the log queue's
 *    figures: with a dead collector the queue stays at its cap and the rest is counted as dropped.
 * 3. autocannon over the Node listener, each gateway in its own process, in alternating rounds.
 * Figures are ratios against the no-logging gateway of the same run.
 * Run: npm run bench:logging [-- --seconds 3 --rounds 2 --connections 16 --requests 50000]
 */
import { surfaceInfo } from "../core/surfaces.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { bench, do_not_optimize, run, summary } from "mitata";
import { RequestContext } from "../core/context.ts";
import { buildLogRecord } from "../core/log-record.ts";
import { deadCollector, type Kind, KINDS, loggingGateway } from "./servers/logging-gateway.ts";
import { chatLoad } from "./autocannon.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const opts = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) opts.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const seconds = Number(opts.get("seconds") ?? 3);
const rounds = Number(opts.get("rounds") ?? 2);
const connections = Number(opts.get("connections") ?? 16);
const requests = Number(opts.get("requests") ?? 50_000);

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const dir = mkdtempSync(join(tmpdir(), "switchyard-bench-logging-"));
const collector = await deadCollector();
const body = JSON.stringify({ model: "mock/mock", messages: [{ role: "user", content: "Hello, how are you today?" }] });
const init = { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-bench-key-0123456789" }, body };
const gateways = new Map(await Promise.all(KINDS.map(async (kind) => [kind, await loggingGateway(kind, { dir: join(dir, kind), collectorUrl: collector.url })] as const)));

// 1. Per-request cost, in-process.
const request = new Request("http://gateway.local/v1/chat/completions", init);
const parsed = JSON.parse(body) as Record<string, unknown>;
const ctx = new RequestContext(request, surfaceInfo("chat"), parsed, "mock/mock", false, 0, body);
ctx.served = { provider: "mock", model: "mock" };
ctx.status = 200;
ctx.durationMs = 0.8;
ctx.usage = { inputTokens: 20, outputTokens: 30, totalTokens: 50, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
ctx.response.text = '{"id":"x","object":"chat.completion","choices":[]}';
// Warm every gateway up alike before timing, so the first benchmark is not the one paying for the JIT.
for (const { gateway } of gateways.values()) {
  for (let i = 0; i < 2000; i++) await (await gateway.request("/v1/chat/completions", init)).text();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
bench("build one log record (onComplete's work)", () => do_not_optimize(buildLogRecord(ctx)));
summary(() => {
  for (const kind of KINDS) {
    const { gateway } = gateways.get(kind)!;
    bench(`in-process chat request, log: ${kind}`, async () => {
      const response = await gateway.request("/v1/chat/completions", init);
      await response.text();
      // One event-loop turn per request, as a server has: timers (onComplete, the log queue) get to
      // run inside the timed loop, and completions cannot pile up and skew later benchmarks.
      await new Promise((resolve) => setImmediate(resolve));
    });
  }
});
await run({ format: "markdown" });

// 2. Memory after N requests, per gateway, in this process (run one after another).
console.log(`\n| gateway | heap after ${requests} requests (MB) | vs none | queued | dropped | written | failed writes | capacity |\n| --- | --- | --- | --- | --- | --- | --- | --- |`);
let baselineHeap = 0;
for (const kind of KINDS) {
  const { gateway, logger } = gateways.get(kind)!;
  for (let i = 0; i < requests; i += 100) {
    await Promise.all(Array.from({ length: 100 }, () => gateway.request("/v1/chat/completions", init).then((r) => r.text())));
    // In-process requests never touch I/O, so timers (onComplete, the log queue) would wait for the
    // end of the loop; a server yields on every socket read, so yield here too.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await gateway.drain(10_000);
  gc();
  const heap = process.memoryUsage().heapUsed / 1048576;
  if (kind === "none") baselineHeap = heap;
  const s = logger?.logStats();
  console.log(`| ${kind} | ${heap.toFixed(1)} | ${(heap - baselineHeap >= 0 ? "+" : "") + (heap - baselineHeap).toFixed(1)} MB | ${s?.queued ?? "-"} | ${s?.dropped ?? "-"} | ${s?.written ?? "-"} | ${s?.failedWrites ?? "-"} | ${s?.capacity ?? "-"} |`);
}
for (const { gateway } of gateways.values()) await gateway.close({ timeoutMs: 100 });

// 3. Throughput over HTTP, each gateway in its own process.
async function startServer(kind: Kind): Promise<{ child: ChildProcess; port: number; stats(): Promise<string> }> {
  const child = spawn(process.execPath, [join(root, "scripts/run-ts.mjs"), join(root, "bench/servers/logging-server.ts"), "--kind", kind], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const match = /ready (\d+)/.exec(out);
    if (match) {
      return {
        child,
        port: Number(match[1]),
        async stats() {
          const before = out.length;
          child.stdin!.write("\n");
          for (;;) {
            await new Promise((r) => setTimeout(r, 50));
            const line = /stats (.*)\n/.exec(out.slice(before));
            if (line) return line[1];
          }
        },
      };
    }
    if (child.exitCode !== null) throw new Error(`server ${kind} did not start`);
  }
}

const load = (port: number) => chatLoad(port, { connections, seconds, body });

const totals = new Map<Kind, { rps: number[]; p50: number[]; p99: number[]; stats: string }>();
for (let round = 0; round < rounds; round++) {
  for (const kind of KINDS) {
    const server = await startServer(kind);
    await load(server.port); // warm-up (JIT, keep-alive sockets)
    const r = await load(server.port);
    const stats = await server.stats();
    server.child.kill();
    const t = totals.get(kind) ?? { rps: [], p50: [], p99: [], stats: "" };
    t.rps.push(r.rps);
    t.p50.push(r.p50);
    t.p99.push(r.p99);
    t.stats = stats;
    totals.set(kind, t);
    console.error(`round ${round + 1} ${kind}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms ${stats}`);
  }
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const base = mean(totals.get("none")!.rps);
console.log(`\n| gateway (Node listener) | req/s (mean of ${rounds}) | vs none | p50 ms | p99 ms | server after the last run |\n| --- | --- | --- | --- | --- | --- |`);
for (const kind of KINDS) {
  const t = totals.get(kind)!;
  console.log(`| ${kind} | ${mean(t.rps).toFixed(0)} | ${(mean(t.rps) / base).toFixed(2)} | ${mean(t.p50).toFixed(1)} | ${mean(t.p99).toFixed(1)} | \`${t.stats}\` |`);
}
console.log(`\nconnections ${connections}, ${seconds} s per run, ${rounds} rounds; node ${process.version}; ${(await import("node:os")).cpus().length} cores`);
collector.server.closeAllConnections();
collector.server.close();
rmSync(dir, { recursive: true, force: true });
