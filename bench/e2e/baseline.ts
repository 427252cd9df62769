import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./targets.ts";

export interface Baseline {
  readonly ref: string;
  readonly commit: string;
  readonly root: string;
  /** Where the bench configs were copied, so `switchyard/*` in them resolves to the baseline. */
  readonly configDir: string;
  /** How node_modules was provided. */
  readonly modules: "symlinked" | "npm ci";
  remove(): void;
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const;

/** The installed set depends only on these fields; scripts or exports may differ freely. */
function sameDependencies(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return DEPENDENCY_FIELDS.every((field) => JSON.stringify(a[field] ?? {}) === JSON.stringify(b[field] ?? {}));
}

/**
 * Unpack `ref` (git archive, so this checkout's worktree list is untouched) into a temporary
 * directory and build it. node_modules is this checkout's, by symlink, when both declare the same
 * dependencies; otherwise `npm ci` installs the baseline's own lockfile.
 */
export function prepareBaseline(ref: string, say: (line: string) => void): Baseline {
  const git = (...args: string[]): string => execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  const commit = git("rev-parse", "--short", `${ref}^{commit}`);
  const root = mkdtempSync(join(tmpdir(), `switchyard-base-${commit}-`));
  const remove = (): void => rmSync(root, { recursive: true, force: true });
  try {
    const archive = spawnSync("git", ["archive", "--format=tar", commit], { cwd: repoRoot, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr.toString()}`);
    const unpack = spawnSync("tar", ["-x", "-C", root], { input: archive.stdout });
    if (unpack.status !== 0) throw new Error(`unpacking ${ref} failed: ${unpack.stderr.toString()}`);
    const basePackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
    const ownPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as Record<string, unknown>;
    let modules: Baseline["modules"];
    if (sameDependencies(basePackage, ownPackage)) {
      symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
      modules = "symlinked";
    } else {
      say(`baseline ${ref} declares other dependencies: npm ci in ${root}`);
      const install = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
      if (install.status !== 0) throw new Error(`npm ci for ${ref} failed`);
      modules = "npm ci";
    }
    // Built once here, so the two gateways started from it never race to build dist/.
    const built = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error(`building ${ref} failed`);
    const configDir = join(root, ".bench-configs");
    mkdirSync(configDir);
    for (const kind of ["bare", "full"]) copyFileSync(join(repoRoot, `bench/e2e/config-${kind}.ts`), join(configDir, `config-${kind}.ts`));
    return { ref, commit, root, configDir, modules, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
