import { parseArgs } from "node:util";
import { type Runtime, RUNTIMES } from "./targets.ts";

export interface BenchOptions {
  seconds: number;
  rounds: number;
  connections: number[];
  runtimes: Runtime[];
  latencyMs: number;
  /** bench:compare only: the git ref to build the baseline from. */
  base: string | undefined;
  /**
   * bench:compare only: both full chains get the admin API, and the head's also `dashboard()`,
   * so the delta is the dashboard's own cost (use with `--base HEAD`).
   */
  dashboard: boolean;
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${text}"`);
  return n;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      seconds: { type: "string", default: "3" },
      rounds: { type: "string", default: "3" },
      connections: { type: "string", default: "1,4,16,64" },
      runtimes: { type: "string", default: RUNTIMES.join(",") },
      "latency-ms": { type: "string", default: "0" },
      base: { type: "string" },
      dashboard: { type: "boolean", default: false },
    },
  });
  const runtimes = values.runtimes.split(",").map((r) => r.trim());
  for (const r of runtimes) if (!RUNTIMES.includes(r as Runtime)) throw new Error(`--runtimes: unknown runtime "${r}" (${RUNTIMES.join(", ")})`);
  const connections = values.connections.split(",").map((c) => positiveInt("connections", c.trim()));
  if (connections.some((c) => c === 0)) throw new Error("--connections must be at least 1");
  const seconds = positiveInt("seconds", values.seconds);
  const rounds = positiveInt("rounds", values.rounds);
  if (seconds === 0 || rounds === 0) throw new Error("--seconds and --rounds must be at least 1");
  return { seconds, rounds, connections, runtimes: runtimes as Runtime[], latencyMs: positiveInt("latency-ms", values["latency-ms"]), base: values.base, dashboard: values.dashboard };
}
