/**
 * Sustained load against the gateway, watching for memory growth and latency drift.
 * Three processes: the mock upstream (bench/soak/upstream.ts), the gateway started through the CLI
 * with the full chain (bench/soak/switchyard.soak.config.ts) and a bench-only sampler preloaded,
 * and the load (bench/soak/load.ts). After the warm-up, least-squares fits decide (analyze.ts).
 * Writes <prefix>.json, <prefix>.md and two SVG charts to bench/results/; exits 1 on failure.
 * Run: npm run soak -- --minutes 30 [--rps 100] [--runtime node] [--sample-seconds 5]
 *        [--warmup-minutes M] [--memory-threshold 0.05] [--p99-threshold 0.10] [--ci]
 *        [--out-prefix soak] [--heap-snapshots DIR] [--keep-work]
 *        [--dialect anthropic] (the translation path) [--redis URL] (limits, budget, cache in Redis)
 */
import { cpus, loadavg, tmpdir } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnReady, type ReadyProcess } from "../lib/spawn-ready.ts";
import { soakCharts, soakMarkdown, type SoakReport } from "../report/soak-report.ts";
import { analyze, defaultWarmupMs, type LoadWindow, type MemorySample } from "./analyze.ts";
import { numberFlag, parseFlags } from "./flags.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const flags = parseFlags(process.argv.slice(2));
const ci = flags.has("ci");
const minutes = numberFlag(flags, "minutes", ci ? 2 : 30);
const rps = numberFlag(flags, "rps", 100);
const runtime = flags.get("runtime") ?? "node";
const sampleMs = numberFlag(flags, "sample-seconds", ci ? 2 : 5) * 1000;
const warmupMs = flags.has("warmup-minutes") ? numberFlag(flags, "warmup-minutes", 0) * 60_000 : defaultWarmupMs(minutes);
const short = minutes < 10;
// Short runs: the heap is still settling, so memory gets a generous bound and p99 only advises.
// In CI only memory gates: latency and failures on a shared runner are reported, not judged.
const thresholds = {
  memory: numberFlag(flags, "memory-threshold", short ? 0.25 : 0.05),
  p99: numberFlag(flags, "p99-threshold", 0.1),
  p99Gates: !short && !ci,
  failures: numberFlag(flags, "failure-threshold", 0.01),
  failuresGate: !ci,
};
const prefix = flags.get("out-prefix") ?? (ci ? "soak-ci" : "soak");
const outDir = flags.get("out-dir") ?? join(root, "bench", "results");
const snapshotDir = flags.get("heap-snapshots");
const dialect = flags.get("dialect") ?? "openai";
const redisUrl = flags.get("redis");

if (runtime !== "node" && runtime !== "deno" && runtime !== "bun") {
  console.error(`soak: --runtime must be node, deno or bun, got "${runtime}"`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "switchyard-soak-"));
const files = { samples: join(work, "samples.jsonl"), windows: join(work, "windows.jsonl"), log: join(work, "requests.jsonl") };
const runTs = (file: string, args: string[]): [string, string[]] => [process.execPath, [join(root, "scripts/run-ts.mjs"), join(root, file), ...args]];
const readLines = <T>(path: string): T[] => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T) : []);
const loads: { t: number; load1: number }[] = [];

/** The command as typed, for the report. */
function commandLine(): string {
  const args = process.argv.slice(2).filter((a) => a !== "--ci");
  return `npm run ${ci ? "soak:ci" : "soak"}${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`;
}

const started: ReadyProcess[] = [];
async function stopAll(): Promise<void> {
  for (const p of started.reverse()) await p.stop();
}
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

let exitCode = 1;
try {
  console.log(`soak: ${minutes} min at ${rps} req/s, warm-up ${(warmupMs / 60_000).toFixed(1)} min, samples every ${sampleMs / 1000} s (work dir ${work})`);
  const upstream = await spawnReady(...runTs("bench/soak/upstream.ts", []), /ready (\d+)/);
  started.push(upstream);
  const upstreamUrl = `http://127.0.0.1:${upstream.match[1]}`;

  // Node samples through a preload; Deno and Bun (run by the CLI's --runtime) through the config.
  const nodeFlags = runtime === "node" ? ["--import", join(root, "bench/soak/sampler.mjs")] : [];
  if (snapshotDir !== undefined) {
    mkdirSync(snapshotDir, { recursive: true });
    nodeFlags.push("--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshotDir}`);
  }
  const gateway = await spawnReady(
    process.execPath,
    [...nodeFlags, join(root, "bin/switchyard.mjs"), "start", "--config", join(root, "bench/soak/switchyard.soak.config.ts"), "--port", "0", ...(runtime === "node" ? [] : ["--runtime", runtime])],
    /listening on (http:\/\/\S+)/,
    {
      cwd: root,
      env: {
        ...process.env,
        SOAK_UPSTREAM_URL: upstreamUrl,
        SOAK_LOG_FILE: files.log,
        SWITCHYARD_SAMPLER_FILE: files.samples,
        SWITCHYARD_SAMPLER_INTERVAL_MS: String(sampleMs),
        SWITCHYARD_SAMPLER_PORTABLE: runtime === "node" ? "0" : "1",
        ...(redisUrl !== undefined ? { SOAK_REDIS_URL: redisUrl } : {}),
      },
    },
  );
  started.push(gateway);
  const gatewayPid = gateway.child.pid!;

  const startedAt = Date.now();
  const load = await spawnReady(
    ...runTs("bench/soak/load.ts", ["--url", gateway.match[1], "--rps", String(rps), "--seconds", String(minutes * 60), "--window-ms", String(sampleMs), "--out", files.windows, "--dialect", dialect]),
    /load started/,
  );
  started.push(load);

  const snapshot = (): void => {
    if (snapshotDir !== undefined) process.kill(gatewayPid, "SIGUSR2");
  };
  // Shortly before the warm-up ends, so the pause of writing it falls outside the measured part.
  const snapshotTimer = setTimeout(snapshot, Math.max(0, warmupMs - Math.min(30_000, warmupMs / 4))).unref();
  const progress = setInterval(() => {
    loads.push({ t: Date.now(), load1: loadavg()[0] });
    const last = readLines<MemorySample>(files.samples).at(-1);
    const lastWindow = readLines<LoadWindow>(files.windows).at(-1);
    const minute = ((Date.now() - startedAt) / 60_000).toFixed(1);
    console.log(`soak: ${minute} min  rss ${last ? (last.rss / 2 ** 20).toFixed(1) : "?"} MiB  heap ${last ? (last.heapUsed / 2 ** 20).toFixed(1) : "?"} MiB  p99 ${lastWindow?.p99Ms ?? "?"} ms  failures ${lastWindow?.failures ?? "?"}  load ${loadavg()[0].toFixed(1)}`);
  }, Math.min(60_000, Math.max(10_000, minutes * 6000)));
  loads.push({ t: startedAt, load1: loadavg()[0] });

  const loadCode = await Promise.race([load.exited, gateway.exited.then((code) => Promise.reject(new Error(`gateway exited with ${code} during the soak:\n${gateway.output()}`)))]);
  const endedAt = Date.now();
  clearInterval(progress);
  clearTimeout(snapshotTimer);
  loads.push({ t: endedAt, load1: loadavg()[0] });
  if (loadCode !== 0) throw new Error(`load process exited with ${loadCode}:\n${load.output()}`);
  snapshot();
  if (snapshotDir !== undefined) await new Promise((r) => setTimeout(r, 5000));
  await stopAll();

  const samples = readLines<MemorySample>(files.samples);
  const windows = readLines<LoadWindow>(files.windows);
  const analysis = analyze(samples, windows, startedAt, endedAt, warmupMs, thresholds);
  const report: SoakReport = {
    command: commandLine(),
    date: new Date(startedAt).toISOString(),
    minutes,
    rps,
    runtime,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, loadAverage: loads },
    log: { active: existsSync(files.log), bytes: existsSync(files.log) ? statSync(files.log).size : 0 },
    thresholds,
    analysis,
    samples,
    windows,
  };
  mkdirSync(outDir, { recursive: true });
  const names = { memory: `${prefix}-memory.svg`, latency: `${prefix}-latency.svg` };
  const charts = soakCharts(report);
  writeFileSync(join(outDir, `${prefix}.json`), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(outDir, names.memory), charts.memory);
  writeFileSync(join(outDir, names.latency), charts.latency);
  const markdown = soakMarkdown(report, names);
  writeFileSync(join(outDir, `${prefix}.md`), markdown);
  console.log(`\n${markdown}`);
  for (const w of windows) for (const sample of w.failureSamples) console.log(`failure: ${sample}`);
  console.log(`soak: report in ${join(outDir, `${prefix}.{json,md}`)}`);
  exitCode = analysis.pass ? 0 : 1;
} catch (error) {
  console.error(`soak: ${(error as Error).message}`);
  await stopAll();
}
// The request log alone can reach hundreds of MB over a long run; everything kept is in the report.
if (!flags.has("keep-work")) rmSync(work, { recursive: true, force: true });
// Not process.exit: the runner that bundled this file removes its temporary copy once the module ends.
process.exitCode = exitCode;
