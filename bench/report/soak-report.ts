/** The soak's written results: the JSON report's shape, its markdown summary and its charts. */
import type { LoadWindow, MemorySample, SoakAnalysis, Thresholds, Trend } from "../soak/analyze.ts";
import { lineChart, type Series } from "./svg-chart.ts";

export interface SoakReport {
  command: string;
  date: string;
  minutes: number;
  rps: number;
  runtime: string;
  machine: { cpus: number; cpuModel: string; node: string; loadAverage: { t: number; load1: number }[] };
  /** Whether the request log plugin ran (it exists only in builds that have it). */
  log: { active: boolean; bytes: number };
  thresholds: Thresholds;
  analysis: SoakAnalysis;
  samples: MemorySample[];
  windows: LoadWindow[];
}

const MiB = 2 ** 20;
const minutesAt = (report: SoakReport, t: number): number => (t - report.analysis.startedAt) / 60_000;

export function soakCharts(report: SoakReport): { memory: string; latency: string } {
  const at = (t: number): number => minutesAt(report, t);
  const inRun = report.samples.filter((s) => s.t >= report.analysis.startedAt - 5000 && s.t <= report.analysis.endedAt + 5000);
  const warmup = [{ x: report.analysis.warmupMs / 60_000, label: "end of warm-up" }];
  /** The fitted line over the measured part, as a dashed series. */
  const fitted = (name: string, fit: Trend | null, scale: number): Series[] =>
    fit === null ? [] : [{ name, dashed: true, points: [[report.analysis.warmupMs / 60_000, fit.start / scale], [at(report.analysis.endedAt), fit.end / scale]] }];
  const memory = lineChart({
    title: `Gateway memory over a ${report.minutes}-minute soak at ${report.rps} req/s`,
    xLabel: "minutes since load began",
    yLabel: "MiB",
    markers: warmup,
    series: [
      { name: "RSS", points: inRun.map((s) => [at(s.t), s.rss / MiB]) },
      { name: "heap used", points: inRun.map((s) => [at(s.t), s.heapUsed / MiB]) },
      { name: "external", points: inRun.map((s) => [at(s.t), s.external / MiB]) },
      ...fitted("RSS fit (after warm-up)", report.analysis.rss, MiB),
    ],
  });
  const latency = lineChart({
    title: `Latency over a ${report.minutes}-minute soak at ${report.rps} req/s`,
    xLabel: "minutes since load began",
    yLabel: "ms",
    markers: warmup,
    series: [
      { name: "p50 (per window)", points: report.windows.filter((w) => w.p50Ms !== null).map((w) => [at(w.t), w.p50Ms as number]) },
      { name: "p99 (per window)", points: report.windows.filter((w) => w.p99Ms !== null).map((w) => [at(w.t), w.p99Ms as number]) },
      { name: "stream first event p99", points: report.windows.filter((w) => w.ttftP99Ms !== null).map((w) => [at(w.t), w.ttftP99Ms as number]) },
      { name: "event-loop delay p99", points: inRun.map((s) => [at(s.t), s.loopP99Ms]) },
      ...fitted("p99 fit (after warm-up)", report.analysis.p99, 1),
    ],
  });
  return { memory, latency };
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "n/a" : `${(x * 100).toFixed(1)}%`);
const mib = (x: number): string => `${(x / MiB).toFixed(1)} MiB`;

function machineLoad(loads: readonly number[], cpus: number): string {
  if (loads.length === 0) return "load average not recorded.";
  const range = `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
  const busy = Math.max(...loads) > cpus;
  return `1-minute load average during the run ${range}${busy ? `, above the ${cpus} cores: other processes competed for the CPU, so latency carries their scheduling delays` : ""}.`;
}

export function soakMarkdown(report: SoakReport, chartNames: { memory: string; latency: string }): string {
  const a = report.analysis;
  const loads = report.machine.loadAverage.map((l) => l.load1);
  const lines = [
    `# Soak: ${report.minutes} minutes at ${report.rps} req/s (${report.runtime})`,
    "",
    `\`${report.command}\` on ${report.date}.`,
    "",
    `Machine: ${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; ${machineLoad(loads, report.machine.cpus)}`,
    `Request log plugin: ${report.log.active ? `active (${report.log.bytes} bytes written)` : "not available in this build"}.`,
    "",
    `**Result: ${a.pass ? "PASS" : "FAIL"}** (warm-up ${(a.warmupMs / 60_000).toFixed(1)} min, then least-squares fits).`,
    "",
    "| check | figure | limit | gates | result |",
    "| --- | --- | --- | --- | --- |",
    ...a.checks.map((c) => `| ${c.name} | ${c.detail} | ${pct(c.threshold)} | ${c.gating ? "yes" : "advisory"} | ${c.pass ? "pass" : "FAIL"} |`),
    "",
    "| series (after warm-up) | fitted start | fitted end | change | slope per minute |",
    "| --- | --- | --- | --- | --- |",
    ...(
      [
        ["RSS", a.rss, mib],
        ["heap used", a.heapUsed, mib],
        ["external", a.external, mib],
        ["p99 latency", a.p99, (x: number) => `${x.toFixed(1)} ms`],
      ] as const
    ).map(([name, t, unit]) => (t === null ? `| ${name} | n/a | n/a | n/a | n/a |` : `| ${name} | ${unit(t.start)} | ${unit(t.end)} | ${pct(t.change)} | ${unit(t.slopePerMinute)} |`)),
    "",
    `Requests finished: ${a.requests} (${a.failures} failed, ${a.aborted} aborted by the client on purpose, ${a.skipped} not started because too many were in flight).`,
    a.eventLoopP99Ms === null ? "" : `Event-loop delay p99 per sample: mean ${a.eventLoopP99Ms.mean.toFixed(1)} ms, worst ${a.eventLoopP99Ms.max.toFixed(1)} ms.`,
    "",
    `![memory](${chartNames.memory})`,
    "",
    `![latency](${chartNames.latency})`,
    "",
  ];
  return lines.join("\n");
}
