import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./targets.ts";

export interface Machine {
  date: string;
  command: string;
  commit: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  deno: string | null;
  bun: string | null;
  loadAverageAtStart: number[];
}

function version(binary: string, args: string[]): string | null {
  try {
    return execFileSync(join(repoRoot, "node_modules/.bin", binary), args, { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return null;
  }
}

function commit(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: repoRoot, encoding: "utf8" }).trim() !== "";
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return "unknown";
  }
}

/** What produced a run: the command, the code and the machine, with its load when it began. */
export function describeMachine(command: string): Machine {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    command,
    commit: commit(),
    cpu: cpuList[0]?.model ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    deno: version("deno", ["--version"]),
    bun: version("bun", ["--version"]),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function machineLines(machine: Machine): string[] {
  return [
    `command: \`${machine.command}\``,
    `date: ${machine.date}, commit ${machine.commit}`,
    `machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB; node ${machine.node}, ${machine.deno ?? "deno missing"}, bun ${machine.bun ?? "missing"}`,
    `load average at start: ${machine.loadAverageAtStart.join(", ")} (other sessions share these cores; read the ratios)`,
  ];
}
