import type { Cell } from "./rounds.ts";

const num = (v: number | null, digits = 2): string => (v === null ? "n/a" : v.toFixed(digits));
const minus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/** A column that ran, or why it could not. */
export type ColumnResult = { name: string; cells: Map<number, Cell> } | { name: string; unavailable: string };

const available = (c: ColumnResult): c is { name: string; cells: Map<number, Cell> } => "cells" in c;

/**
 * Two markdown tables for one runtime: throughput with ratios to `reference` (the floor), and
 * latency added over the direct call to the mock (p50, p99, and time to first stream event).
 */
export function runtimeTables(direct: Map<number, Cell>, columns: readonly ColumnResult[], reference: string, connections: readonly number[]): string[] {
  const ran = columns.filter(available);
  const ref = ran.find((c) => c.name === reference);
  const lines: string[] = [];
  // The first sentence of the reason is enough (the CLI's parse errors run on with advice).
  for (const c of columns) if (!available(c)) lines.push(`${c.name}: not available (${c.unavailable.split(/\.\s/)[0]})`, "");
  const others = ran.filter((c) => c !== ref);
  const row = (cells: string[]): string => `| ${cells.join(" | ")} |`;
  lines.push(
    row(["conns", "direct req/s", ...ran.map((c) => `${c.name} req/s`), ...others.map((c) => `${c.name} / ${reference}`)]),
    row(["---:", "---:", ...ran.map(() => "---:"), ...others.map(() => "---:")]),
  );
  for (const n of connections) {
    const rps = ran.map((c) => c.cells.get(n)!.rps.toFixed(0));
    const ratios = others.map((c) => (ref === undefined || c.cells.get(n)!.ratio === null ? "n/a" : `${c.cells.get(n)!.ratio!.toFixed(2)}×`));
    lines.push(row([String(n), direct.get(n)!.rps.toFixed(0), ...rps, ...ratios]));
  }
  lines.push(
    "",
    `| conns | ${ran.map((c) => `${c.name} +p50`).join(" | ")} | ${ran.map((c) => `${c.name} +p99`).join(" | ")} | ${ran.map((c) => `${c.name} +TTFT p50`).join(" | ")} | ${ran.map((c) => `${c.name} +TTFT p99`).join(" | ")} |`,
    `| ---: | ${[...ran, ...ran, ...ran, ...ran].map(() => "---:").join(" | ")} |`,
  );
  for (const n of connections) {
    const d = direct.get(n)!;
    const at = (c: { cells: Map<number, Cell> }): Cell => c.cells.get(n)!;
    lines.push(
      `| ${n} | ${ran.map((c) => num(minus(at(c).p50, d.p50))).join(" | ")} | ${ran.map((c) => num(minus(at(c).p99, d.p99))).join(" | ")} | ${ran.map((c) => num(minus(at(c).ttftP50, d.ttftP50))).join(" | ")} | ${ran.map((c) => num(minus(at(c).ttftP99, d.ttftP99))).join(" | ")} |`,
    );
  }
  if (ran.some((c) => [...c.cells.values()].some((cell) => cell.cpuPerRequest !== null))) {
    lines.push(
      "",
      `| conns | ${ran.map((c) => `${c.name} CPU µs/req`).join(" | ")} | ${ran.map((c) => `${c.name} RSS MB`).join(" | ")} |`,
      `| ---: | ${[...ran, ...ran].map(() => "---:").join(" | ")} |`,
    );
    for (const n of connections) {
      const at = (c: { cells: Map<number, Cell> }): Cell => c.cells.get(n)!;
      lines.push(`| ${n} | ${ran.map((c) => num(at(c).cpuPerRequest, 0)).join(" | ")} | ${ran.map((c) => num(at(c).rss === null ? null : at(c).rss! / 1_048_576, 0)).join(" | ")} |`);
    }
  }
  const errors = [...ran, { name: "direct", cells: direct }].flatMap((c) => [...c.cells.values()].map((cell) => cell.errors)).reduce((a, b) => a + b, 0);
  if (errors > 0) lines.push("", `**${errors} failed requests** during the run (non-2xx or connection errors): the figures above are suspect.`);
  return lines;
}

export const LEGEND =
  "req/s: median of rounds; ratios: median of the per-round ratios (each column against the floor measured in the same round). " +
  "+p50 / +p99: latency added over a direct call to the mock upstream at the same concurrency (ms, median of rounds); " +
  "+TTFT: the same for the first SSE data event of a streamed answer. Throughput from autocannon, latency from bench/e2e/probe.mjs (µs timing). " +
  "CPU µs/req: user + system time of the server's processes during the throughput run divided by the requests served (steadier than req/s on a shared machine); RSS: their resident memory right after it (Linux /proc; medians of rounds).";
