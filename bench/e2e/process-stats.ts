/**
 * What a server under test costs the machine, read from Linux's /proc: CPU time and resident
 * memory of the process listening on its port and of that process's children (a CLI that runs
 * its runtime as a child, the workers of `--workers`). CPU time per request holds up on a shared
 * machine far better than requests per second, which other processes' load moves. Elsewhere
 * (no /proc, no `ss`) every figure is null and the report says n/a.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100;

/** The pids serving `url`: whoever listens on its port, and their descendants. */
export function serverPids(url: string): number[] {
  let listening: number[];
  try {
    const out = execFileSync("ss", ["-ltnpH", `sport = :${new URL(url).port}`], { encoding: "utf8" });
    listening = [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
  } catch {
    return [];
  }
  const parents = new Map<number, number>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readStat(Number(entry));
      if (stat !== null) parents.set(Number(entry), stat.ppid);
    }
  } catch {
    return [...new Set(listening)];
  }
  // Descendants count (the workers of `--workers`); a CLI that only spawned the listening
  // runtime is its parent and does not: it is not part of a server someone deploys.
  const pids = new Set(listening);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!pids.has(pid) && pids.has(ppid)) {
        pids.add(pid);
        grew = true;
      }
    }
  }
  return [...pids];
}

function readStat(pid: number): { ppid: number; cpuTicks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** User + system CPU time of `pids` so far, in µs; null when it cannot be read. */
export function cpuMicros(pids: readonly number[]): number | null {
  if (pids.length === 0) return null;
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat === null) return null;
    ticks += stat.cpuTicks;
  }
  return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory of `pids` together, in bytes; null when it cannot be read. */
export function rssBytes(pids: readonly number[]): number | null {
  if (pids.length === 0) return null;
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match === null) return null;
      total += Number(match[1]) * 1024;
    } catch {
      return null;
    }
  }
  return total;
}
