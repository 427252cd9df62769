/**
 * Throughput by concurrency from the end-to-end bench's JSON (`bench/results/e2e-latest.json`):
 * one line per runtime and server (direct call, floor, bare gateway, full chain).
 */
import { lineChart, type Series } from "./svg-chart.ts";

interface E2eCell {
  rps?: unknown;
}
interface E2eRuntime {
  runtime?: unknown;
  direct?: Record<string, E2eCell>;
  columns?: { name?: unknown; cells?: Record<string, E2eCell> }[];
}

/** Concurrency levels on an even spacing (1, 4, 16, 64 are powers of four): x is the index. */
export function throughputSeries(json: unknown): { series: Series[]; levels: number[] } | null {
  const results = (json as { results?: E2eRuntime[] } | null)?.results;
  if (!Array.isArray(results)) return null;
  const raw: { name: string; cells: Record<string, E2eCell> }[] = [];
  for (const r of results) {
    const runtime = typeof r.runtime === "string" ? r.runtime : "?";
    if (r.direct) raw.push({ name: `${runtime} direct to mock`, cells: r.direct });
    for (const c of r.columns ?? []) if (c.cells && typeof c.name === "string") raw.push({ name: `${runtime} ${c.name}`, cells: c.cells });
  }
  const levels = [...new Set(raw.flatMap((r) => Object.keys(r.cells).map(Number)))].filter(Number.isFinite).sort((a, b) => a - b);
  if (levels.length === 0) return null;
  const series = raw.map((r) => ({
    name: r.name,
    points: levels.flatMap((level, i) => {
      const rps = r.cells[String(level)]?.rps;
      return typeof rps === "number" ? [[i, rps] as [number, number]] : [];
    }),
  }));
  return { series, levels };
}

export function throughputChart(json: unknown): string | null {
  const data = throughputSeries(json);
  if (data === null) return null;
  return lineChart({
    title: "End-to-end throughput by concurrency",
    xLabel: "concurrent connections",
    yLabel: "requests per second",
    series: data.series,
    xTicks: data.levels.map((level, i) => ({ value: i, label: String(level) })),
    height: 440,
  });
}
