/**
 * Which Node HTTP server layer to put in front of gateway.fetch: switchyard's lean node:http bridge
 * or @hono/node-server, with a plain node:http server as the ceiling. Each server runs in its own
 * process, load comes from autocannon in another, and the kinds alternate in rounds so drift on a
 * shared machine hits all of them alike. Figures are ratios within this run.
 * Run: npm run bench:node-server [-- --seconds 5 --rounds 3 --connections 16]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { chatLoad } from "./autocannon.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const opts = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) opts.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const seconds = Number(opts.get("seconds") ?? 5);
const rounds = Number(opts.get("rounds") ?? 3);
const connections = Number(opts.get("connections") ?? 16);
const kinds = ["raw", "bridge", "hono"] as const;
const body = JSON.stringify({ model: "mock/mock", messages: [{ role: "user", content: "Hello, how are you today?" }] });

async function startServer(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(root, "scripts/run-ts.mjs"), join(root, "bench/servers/node-server.ts"), "--kind", kind, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  for await (const chunk of child.stdout!) {
    out += chunk;
    const match = /ready (\d+)/.exec(out);
    if (match) return { child, port: Number(match[1]) };
  }
  throw new Error(`server ${kind} did not start`);
}

const load = (port: number) => chatLoad(port, { connections, seconds, body });

const totals = new Map<string, { rps: number[]; p50: number[]; p99: number[] }>();
for (let round = 0; round < rounds; round++) {
  for (const kind of kinds) {
    const { child, port } = await startServer(kind);
    await load(port); // warm-up (JIT, keep-alive sockets)
    const r = await load(port);
    child.kill();
    const t = totals.get(kind) ?? { rps: [], p50: [], p99: [] };
    t.rps.push(r.rps);
    t.p50.push(r.p50);
    t.p99.push(r.p99);
    totals.set(kind, t);
    console.error(`round ${round + 1} ${kind}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms`);
  }
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const raw = mean(totals.get("raw")!.rps);
console.log(`\n| server | req/s (mean of ${rounds}) | vs raw node:http | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |`);
for (const kind of kinds) {
  const t = totals.get(kind)!;
  console.log(`| ${kind} | ${mean(t.rps).toFixed(0)} | ${(mean(t.rps) / raw).toFixed(2)} | ${mean(t.p50).toFixed(1)} | ${mean(t.p99).toFixed(1)} |`);
}
console.log(`\nconnections ${connections}, ${seconds} s per run, ${rounds} rounds; node ${process.version}; ${(await import("node:os")).cpus().length} cores`);
