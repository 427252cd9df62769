import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const tmp = join(dirname(fileURLToPath(import.meta.url)), "../results/tmp");

const made: string[] = [];

/**
 * A log file for one bench server in bench/results/tmp, removed with its rotations when this
 * process exits: a full-chain server writes tens of MB a run, and runs add up to gigabytes.
 */
export function benchLogFile(name: string): string {
  const path = join(tmp, `${name}-${process.pid}.jsonl`);
  if (made.length === 0) process.once("exit", removeAll);
  made.push(path);
  return path;
}

function removeAll(): void {
  for (const path of made) for (const suffix of ["", ".1", ".2", ".3", ".4", ".5"]) rmSync(path + suffix, { force: true });
}
