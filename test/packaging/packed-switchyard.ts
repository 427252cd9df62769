/**
 * The switchyard tarball as `npm pack` makes it, for the packaging tests. dist/ is built by the
 * global setup; the declarations come from tsc here. Scripts are skipped so packing never
 * rebuilds dist/ under the other test files, and a lock directory keeps two test files from
 * writing the declarations at the same time.
 */
import { execFile } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../helpers/cli.ts";

export const run = promisify(execFile);
export const TSC = join(ROOT, "node_modules", ".bin", "tsc");
// Outside dist/, so the lock itself is never packed.
const LOCK = join(ROOT, "node_modules", ".switchyard-pack-lock");

async function locked<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Pack switchyard into `destination`; returns the tarball's path. */
export function packSwitchyard(destination: string): Promise<string> {
  return locked(async () => {
    await run(TSC, ["-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT });
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], { cwd: ROOT });
    const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
    return join(destination, filename);
  });
}

/** Install a tarball into `project` from npm's cache; only when something is not cached, from the registry. */
export async function installInto(project: string, ...tarballs: string[]): Promise<void> {
  const flags = ["install", "--no-audit", "--no-fund", "--no-save"];
  try {
    await run("npm", [...flags, "--offline", ...tarballs], { cwd: project });
  } catch {
    await run("npm", [...flags, "--prefer-offline", ...tarballs], { cwd: project });
  }
}
