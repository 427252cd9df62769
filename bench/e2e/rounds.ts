import { type Endpoint, latency, throughput } from "./load.ts";
import { cpuMicros, rssBytes } from "./process-stats.ts";

/** One column of a run: a server under test and how to address it. */
export interface Column {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** The processes serving it (see process-stats.ts), for CPU time per request and memory. */
  readonly pids?: readonly number[];
}

/** Medians over rounds for one column at one concurrency. Latencies in ms. */
export interface Cell {
  rps: number;
  p50: number | null;
  p99: number | null;
  ttftP50: number | null;
  ttftP99: number | null;
  errors: number;
  /** CPU time the server spent per request during the throughput run, µs (median of rounds). */
  cpuPerRequest: number | null;
  /** The server's resident memory right after the throughput run, bytes (median of rounds). */
  rss: number | null;
  /**
   * Median over rounds of this column's req/s divided by its reference column's in the same
   * round (measured seconds apart), steadier on a shared machine than a ratio of medians.
   */
  ratio: number | null;
}

export interface RoundOptions {
  connections: readonly number[];
  seconds: number;
  rounds: number;
  /** The column a column's `ratio` divides by (the floor; in a compare, the baseline's twin). */
  referenceOf?: (column: string) => string | undefined;
  /** Progress lines go here (stderr), so stdout keeps only the tables. */
  say(line: string): void;
}

export function median(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** One round's figures for one column. */
type Sample = Omit<Cell, "ratio">;

async function measure(column: Column, connections: number, seconds: number): Promise<Sample> {
  const pids = column.pids ?? [];
  const cpuBefore = cpuMicros(pids);
  const load = await throughput(column.endpoint, connections, seconds);
  const cpuAfter = cpuMicros(pids);
  const served = load.rps * seconds;
  const cpuPerRequest = cpuBefore === null || cpuAfter === null || served <= 0 ? null : (cpuAfter - cpuBefore) / served;
  const rss = rssBytes(pids);
  const json = await latency(column.endpoint, connections, seconds, "json");
  const stream = await latency(column.endpoint, connections, seconds, "stream");
  return { rps: load.rps, p50: json.p50, p99: json.p99, ttftP50: stream.p50, ttftP99: stream.p99, errors: load.errors + json.errors + stream.errors, cpuPerRequest, rss };
}

/**
 * Every column at every concurrency, round after round, the columns interleaved within each
 * round so load from other processes on a shared machine lands on all of them alike. A short
 * warm-up per column first (JIT, keep-alive pools). Returns medians: cells[column][connections].
 */
export async function runRounds(columns: readonly Column[], options: RoundOptions): Promise<Map<string, Map<number, Cell>>> {
  for (const column of columns) await throughput(column.endpoint, Math.max(...options.connections), Math.min(2, options.seconds));
  const samples = new Map<string, Map<number, Sample[]>>(columns.map((c) => [c.name, new Map(options.connections.map((n) => [n, []]))]));
  for (let round = 1; round <= options.rounds; round++) {
    for (const connections of options.connections) {
      for (const column of columns) {
        const sample = await measure(column, connections, options.seconds);
        samples.get(column.name)!.get(connections)!.push(sample);
        options.say(`round ${round}/${options.rounds} c=${connections} ${column.name}: ${sample.rps.toFixed(0)} req/s, p50 ${sample.p50?.toFixed(2)} ms, ttft p50 ${sample.ttftP50?.toFixed(2)} ms${sample.errors > 0 ? `, ${sample.errors} errors` : ""}`);
      }
    }
  }
  const cells = new Map<string, Map<number, Cell>>();
  for (const [name, byConnections] of samples) {
    const row = new Map<number, Cell>();
    const referenceName = options.referenceOf?.(name);
    const reference = referenceName === undefined ? undefined : samples.get(referenceName);
    for (const [connections, list] of byConnections) {
      const base = reference?.get(connections);
      row.set(connections, {
        ratio: base === undefined ? null : median(list.map((s, round) => (base[round].rps > 0 ? s.rps / base[round].rps : null))),
        rps: median(list.map((s) => s.rps)) ?? 0,
        p50: median(list.map((s) => s.p50)),
        p99: median(list.map((s) => s.p99)),
        ttftP50: median(list.map((s) => s.ttftP50)),
        ttftP99: median(list.map((s) => s.ttftP99)),
        cpuPerRequest: median(list.map((s) => s.cpuPerRequest)),
        rss: median(list.map((s) => s.rss)),
        errors: list.reduce((sum, s) => sum + s.errors, 0),
      });
    }
    cells.set(name, row);
  }
  return cells;
}
