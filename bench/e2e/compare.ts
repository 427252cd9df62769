/**
 * Regression compare: the end-to-end bench on a baseline git ref and on this working tree in one
 * interleaved run (bare and full-chain gateways of both, plus the direct call to the mock), then
 * the deltas. Advisory: timing on a shared machine never fails the run.
 * Run: npm run bench:compare -- --base main [--seconds 3 --rounds 3 --connections 1,4,16,64 --runtimes node]
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { prepareBaseline } from "./baseline.ts";
import { describeMachine, machineLines } from "./machine.ts";
import { parseBenchOptions } from "./options.ts";
import { isRunning, type RunningServer, type Unavailable } from "./processes.ts";
import { serverPids } from "./process-stats.ts";
import { type Cell, type Column, runRounds } from "./rounds.ts";
import { endpointFor, type GatewayKind, repoRoot, startGateway, startMock } from "./targets.ts";

const argv = process.argv.slice(2);
const options = parseBenchOptions(argv.some((a) => a.startsWith("--runtimes")) ? argv : [...argv, "--runtimes", "node"]);
if (options.base === undefined) throw new Error("usage: npm run bench:compare -- --base <git-ref> [--seconds N --rounds N --connections 1,4,16,64 --runtimes node]");
const say = (line: string): void => void process.stderr.write(`${line}\n`);
const machine = describeMachine(`npm run bench:compare -- ${argv.join(" ")}`);
mkdirSync(join(repoRoot, "bench/results/tmp"), { recursive: true });

const num = (v: number | null, digits = 2): string => (v === null ? "n/a" : v.toFixed(digits));
const delta = (head: number | null, base: number | null): string => (head === null || base === null ? "n/a" : `${head - base >= 0 ? "+" : ""}${(head - base).toFixed(2)}`);

function deltaRows(kind: GatewayKind, cells: Map<string, Map<number, Cell>>, direct: Map<number, Cell>): string[] {
  const base = cells.get(`base-${kind}`)!;
  const head = cells.get(`head-${kind}`)!;
  const added = (c: Cell, d: Cell, key: "p50" | "p99" | "ttftP50"): number | null => (c[key] === null || d[key] === null ? null : c[key]! - d[key]!);
  return options.connections.map((n) => {
    const b = base.get(n)!;
    const h = head.get(n)!;
    const d = direct.get(n)!;
    return `| ${kind} | ${n} | ${b.rps.toFixed(0)} | ${h.rps.toFixed(0)} | ${h.ratio === null ? "n/a" : `${h.ratio.toFixed(2)}×`} | ${num(b.cpuPerRequest, 0)} → ${num(h.cpuPerRequest, 0)} (${delta(h.cpuPerRequest, b.cpuPerRequest)}) | ${num(added(b, d, "p50"))} → ${num(added(h, d, "p50"))} (${delta(added(h, d, "p50"), added(b, d, "p50"))}) | ${num(added(b, d, "p99"))} → ${num(added(h, d, "p99"))} (${delta(added(h, d, "p99"), added(b, d, "p99"))}) | ${num(added(b, d, "ttftP50"))} → ${num(added(h, d, "ttftP50"))} (${delta(added(h, d, "ttftP50"), added(b, d, "ttftP50"))}) |`;
  });
}

const baseline = prepareBaseline(options.base, say);
say(`baseline ${options.base} (${baseline.commit}) in ${baseline.root}, node_modules ${baseline.modules}`);
const markdown: string[] = [`# Compare: ${options.base} (${baseline.commit}) → working tree`, "", ...machineLines(machine).map((l) => `- ${l}`), `- ${options.seconds} s per measurement, ${options.rounds} rounds, mock latency ${options.latencyMs} ms`, ...(options.dashboard ? ["- `--dashboard`: both full chains run the admin API; the head's also runs `dashboard()` (nobody watching)"] : []), ""];
const mock = await startMock(options.latencyMs);
if (!isRunning(mock)) throw new Error(`mock upstream did not start: ${mock.unavailable}`);
try {
  for (const runtime of options.runtimes) {
    const servers: (RunningServer | Unavailable)[] = [];
    for (const kind of ["bare", "full"] as const) {
      servers.push(await startGateway(baseline.root, kind, runtime, mock.url, baseline.configDir, `base-${kind}`, [], options.dashboard ? { BENCH_ADMIN: "1" } : {}));
      servers.push(await startGateway(repoRoot, kind, runtime, mock.url, join(repoRoot, "bench/e2e"), `head-${kind}`, [], options.dashboard ? { BENCH_ADMIN: "1", BENCH_DASHBOARD: "1" } : {}));
    }
    try {
      const missing = servers.filter((s) => !isRunning(s)) as Unavailable[];
      if (missing.length > 0) {
        markdown.push(`### ${runtime}`, "", `not available: ${missing.map((s) => `${s.name} (${s.unavailable})`).join("; ")}`, "");
        continue;
      }
      const running = servers as RunningServer[];
      const columns: Column[] = [
        { name: "direct", endpoint: endpointFor("direct", mock.url) },
        ...running.map((s) => ({ name: s.name, endpoint: endpointFor(s.name.endsWith("full") ? "full" : "bare", s.url), pids: serverPids(s.url) })),
      ];
      const cells = await runRounds(columns, { ...options, referenceOf: (name) => (name.startsWith("head-") ? `base-${name.slice(5)}` : undefined), say });
      const direct = cells.get("direct")!;
      markdown.push(
        `### ${runtime}`,
        "",
        "| gateway | conns | base req/s | head req/s | head / base | CPU µs/req base → head (Δ) | +p50 ms base → head (Δ) | +p99 ms base → head (Δ) | +TTFT p50 ms base → head (Δ) |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
        ...deltaRows("bare", cells, direct),
        ...deltaRows("full", cells, direct),
        "",
      );
    } finally {
      for (const s of servers) if (isRunning(s)) await s.stop();
    }
  }
} finally {
  await mock.stop();
  baseline.remove();
}
markdown.push("head / base: median of per-round ratios. Added latency is over a direct call to the mock upstream at the same concurrency (medians of interleaved rounds). Advisory only: timing on a shared machine is noisy.");
console.log(`\n${markdown.join("\n")}`);
writeFileSync(join(repoRoot, "bench/results/compare-latest.md"), `${markdown.join("\n")}\n`);
