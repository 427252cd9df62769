/**
 * End-to-end bench: a mock upstream, the pass-through floor, and the gateway without plugins
 * (bare) and with the full default chain, on each runtime, the full chain also asked in Anthropic's
 * dialect (`full-messages`: /v1/messages translated to the OpenAI-format mock and back) and served by
 * `--workers 2` (`full-w2`, beside the one-process `full` in the same rounds); throughput and latency added over a
 * direct call to the mock, medians of interleaved rounds. Writes bench/results/e2e-latest.{json,md}.
 * Run: npm run bench [-- --seconds 3 --rounds 3 --connections 1,4,16,64 --runtimes node,deno,bun --latency-ms 0]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeMachine, machineLines } from "./machine.ts";
import { parseBenchOptions } from "./options.ts";
import { serverPids } from "./process-stats.ts";
import { isRunning, type RunningServer, type Unavailable } from "./processes.ts";
import { type ColumnResult, LEGEND, runtimeTables } from "./report.ts";
import { type Column, runRounds } from "./rounds.ts";
import { endpointFor, repoRoot, type Runtime, startFloor, startGateway, startMock, startParsingFloor } from "./targets.ts";
import { honoEndpoint, installPeers, portkeyEndpoint, startHonoProxy, startPortkey } from "./peers.ts";

const options = parseBenchOptions(process.argv.slice(2));
const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, "");
const machine = describeMachine(command);
const say = (line: string): void => void process.stderr.write(`${line}\n`);
const resultsDir = join(repoRoot, "bench/results");
mkdirSync(join(resultsDir, "tmp"), { recursive: true });

const mock = await startMock(options.latencyMs);
if (!isRunning(mock)) throw new Error(`mock upstream did not start: ${mock.unavailable}`);
const direct: Column = { name: "direct", endpoint: endpointFor("direct", mock.url) };

interface RuntimeResult {
  runtime: Runtime;
  logging: string;
  columns: { name: string; unavailable?: string; cells?: Record<number, unknown> }[];
  direct: Record<number, unknown>;
  markdown: string[];
}

function loggingState(full: RunningServer | Unavailable): string {
  if (!isRunning(full)) return "n/a";
  const match = /bench full chain: logging (.*)/.exec(full.startupLog);
  return match ? match[1] : "unknown";
}

// Peers are Node programs: they join the Node table, installed once on demand.
const peersUnavailable = options.runtimes.includes("node") ? await installPeers(say) : null;
if (peersUnavailable !== null) say(`bench peers unavailable: ${peersUnavailable}`);

const results: RuntimeResult[] = [];
try {
  for (const runtime of options.runtimes) {
    say(`\n== ${runtime} ==`);
    const servers = [
      await startFloor(runtime, mock.url),
      await startGateway(repoRoot, "bare", runtime, mock.url, join(repoRoot, "bench/e2e")),
      await startGateway(repoRoot, "full", runtime, mock.url, join(repoRoot, "bench/e2e")),
      // The same full chain served by two worker processes on one port (its limits held by the primary).
      await startGateway(repoRoot, "full", runtime, mock.url, join(repoRoot, "bench/e2e"), "full-w2", ["--workers", "2"]),
    ];
    if (runtime === "node") {
      servers.push(await startParsingFloor(mock.url));
      servers.push(peersUnavailable === null ? await startPortkey(mock.url) : { name: "portkey", unavailable: peersUnavailable });
      servers.push(peersUnavailable === null ? await startHonoProxy(mock.url) : { name: "hono", unavailable: peersUnavailable });
    }
    try {
      const running = servers.filter(isRunning);
      const endpointOf = (s: RunningServer) =>
        s.name === "portkey"
          ? portkeyEndpoint(s.url, mock.url)
          : s.name === "hono"
            ? honoEndpoint(s.url)
            : endpointFor(s.name.startsWith("full") ? "full" : (s.name as "floor" | "parsing-floor" | "bare"), s.url);
      const columns: Column[] = [direct, ...running.map((s) => ({ name: s.name, endpoint: endpointOf(s), pids: serverPids(s.url) }))];
      // The same full chain, asked in Anthropic's dialect: every request and answer is translated.
      const full = running.find((s) => s.name === "full");
      if (full !== undefined) columns.push({ name: "full-messages", endpoint: { ...endpointFor("full", full.url), surface: "messages" }, pids: serverPids(full.url) });
      const cells = await runRounds(columns, { ...options, referenceOf: () => "floor", say });
      const columnResults: ColumnResult[] = servers.map((s) => (isRunning(s) ? { name: s.name, cells: cells.get(s.name)! } : { name: s.name, unavailable: s.unavailable }));
      const translated = cells.get("full-messages");
      if (translated !== undefined) columnResults.push({ name: "full-messages", cells: translated });
      const logging = loggingState(servers[2]);
      const markdown = [`### ${runtime}`, "", `full chain logging: ${logging}`, "", ...runtimeTables(cells.get("direct")!, columnResults, "floor", options.connections)];
      console.log(`\n${markdown.join("\n")}`);
      results.push({
        runtime,
        logging,
        direct: Object.fromEntries(cells.get("direct")!),
        columns: columnResults.map((c) => ("cells" in c ? { name: c.name, cells: Object.fromEntries(c.cells) } : c)),
        markdown,
      });
    } finally {
      for (const s of servers) if (isRunning(s)) await s.stop();
    }
  }
} finally {
  await mock.stop();
}

const header = machineLines(machine);
const settings = `${options.seconds} s per measurement, ${options.rounds} rounds, mock latency ${options.latencyMs} ms, connections ${options.connections.join(", ")}`;
console.log(`\n${LEGEND}\n${settings}\n${header.join("\n")}`);
const markdown = ["# End-to-end bench (latest run)", "", ...header.map((l) => `- ${l}`), `- ${settings}`, "", LEGEND, "", ...results.flatMap((r) => [...r.markdown, ""])];
writeFileSync(join(resultsDir, "e2e-latest.md"), `${markdown.join("\n")}\n`);
writeFileSync(join(resultsDir, "e2e-latest.json"), `${JSON.stringify({ machine, options, results: results.map(({ markdown: _, ...r }) => r) }, null, 2)}\n`);
say(`wrote ${join(resultsDir, "e2e-latest.md")} and e2e-latest.json`);
