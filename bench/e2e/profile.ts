/**
 * Where a gateway's CPU time goes under load: runs the bare or full-chain gateway (Node, through
 * the CLI), or one of the Node floors (`floor`, `parsing-floor`) for the same view of what the
 * work itself costs, under `node --cpu-prof`, loads it with autocannon, then prints the functions
 * with the most self time. The .cpuprofile stays in bench/results/tmp/ for a closer look.
 * Run: npm run bench:profile [-- --kind full|bare|floor|parsing-floor --connections 64 --seconds 10]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { throughput } from "./load.ts";
import { freePort, isRunning, startServer } from "./processes.ts";
import { endpointFor, repoRoot, startMock } from "./targets.ts";
import { benchLogFile } from "./log-files.ts";

const { values } = parseArgs({
  options: { kind: { type: "string", default: "full" }, connections: { type: "string", default: "64" }, seconds: { type: "string", default: "10" }, top: { type: "string", default: "30" } },
});
const KINDS = ["full", "bare", "floor", "parsing-floor"] as const;
const kind = KINDS.find((k) => k === values.kind) ?? "full";
const profileDir = join(repoRoot, "bench/results/tmp", `profile-${kind}-${process.pid}`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const mock = await startMock(0);
if (!isRunning(mock)) throw new Error(mock.unavailable);
const port = String(await freePort());
const logFile = benchLogFile("profile");
const here = join(repoRoot, "bench/e2e");
const program = kind === "floor"
  ? [join(here, "floor-node.mjs"), "--upstream", mock.url, "--port", port]
  : kind === "parsing-floor"
  ? [join(here, "floor-parsing-node.mjs"), "--upstream", mock.url, "--port", port, "--log", logFile]
  : [join(repoRoot, "bin/switchyard.mjs"), "start", "--config", join(here, `config-${kind}.ts`), "--port", port];
const gateway = await startServer(kind, process.execPath, ["--cpu-prof", "--cpu-prof-dir", profileDir, ...program], { BENCH_UPSTREAM_URL: mock.url, BENCH_LOG_FILE: logFile });
if (!isRunning(gateway)) throw new Error(gateway.unavailable);
const load = await throughput(endpointFor(kind, gateway.url), Number(values.connections), Number(values.seconds));
await gateway.stop();
await mock.stop();

const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
if (file === undefined) throw new Error(`no profile written in ${profileDir}`);
const profile = JSON.parse(readFileSync(join(profileDir, file), "utf8")) as CpuProfile;
const selfMicros = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) selfMicros.set(profile.samples[i], (selfMicros.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  total += micros;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === "" ? "" : ` ${url.replace(/^file:\/\//, "").replace(repoRoot + "/", "")}:${lineNumber + 1}`;
  const key = `${functionName || "(anonymous)"}${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}
/** Coarse areas, so the summary says which layer the time is in, not only which function. */
const AREAS: [RegExp, string][] = [
  [/^\(garbage collector\)/, "garbage collection"],
  [/^\(idle\)|^\(program\)/, "idle / outside JS"],
  [/^(writev|writeBuffer|writeUtf8String|readStart|readStop|close)( |$)/, "socket syscalls (native)"],
  [/ dist\//, "switchyard (core, plugins, runtime bridge)"],
  [/ node_modules\/undici\//, "undici client (upstream requests)"],
  [/ node:internal\/deps\/undici\//, "web Request / Response / Headers (Node's bundled undici)"],
  [/ node:internal\/webstreams\//, "web streams"],
  [/ node:internal\/(abort_controller|event_target|worker\/js_transferable)/, "AbortController / AbortSignal / events"],
  [/ node:_http_|node:internal\/http/, "node:http server"],
  [/ node:(internal\/)?(streams|stream)/, "node streams"],
  [/ node:(events|internal\/timers|timers|internal\/process)/, "events, timers, ticks"],
];
const byArea = new Map<string, number>();
for (const [name, micros] of byFunction) {
  const area = AREAS.find(([pattern]) => pattern.test(name))?.[1] ?? "other";
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}
const rows = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
console.log(`${kind}, ${values.connections} connections, ${values.seconds} s: ${load.rps.toFixed(0)} req/s; profile ${join(profileDir, file)}`);
console.log("\n| self % | area |\n| ---: | --- |");
for (const [area, micros] of [...byArea].sort((a, b) => b[1] - a[1])) console.log(`| ${((100 * micros) / total).toFixed(1)} | ${area} |`);
console.log("\n| self % | function |\n| ---: | --- |");
for (const [name, micros] of rows) console.log(`| ${((100 * micros) / total).toFixed(1)} | \`${name}\` |`);
