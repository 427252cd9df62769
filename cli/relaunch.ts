import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, join, sep } from "node:path";
import type { RuntimeName } from "./host.ts";
import { CliError } from "./load-config.ts";

/** Tells the relaunched CLI which runtime it was started on, with that runtime's flags. */
export const RELAUNCHED_ENV = "SWITCHYARD_RELAUNCHED";

const FORWARDED_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

const INSTALL_HINT: Record<"deno" | "bun", string> = {
  deno: "https://docs.deno.com/runtime/getting_started/installation/",
  bun: "https://bun.sh/docs/installation",
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The runtime's binary: the one on PATH first (what the user installed), else one an npm install
 * put in `node_modules/.bin` of this package or of a project above it (switchyard's own
 * checkout has both as dev dependencies; an installed switchyard does not bring them). Null
 * when there is none.
 */
export function findRuntime(runtime: "deno" | "bun", packageRoot: string, path = process.env.PATH ?? ""): string | null {
  const names = process.platform === "win32" ? [`${runtime}.exe`, `${runtime}.cmd`] : [runtime];
  for (const dir of path.split(delimiter)) {
    if (dir.length === 0) continue;
    for (const name of names) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  for (let dir = packageRoot; ; dir = dirname(dir)) {
    for (const name of names) if (isExecutable(join(dir, "node_modules", ".bin", name))) return join(dir, "node_modules", ".bin", name);
    if (dirname(dir) === dir) return null;
  }
}

/** What to tell someone who asked for a runtime that is not there. */
export function missingRuntime(runtime: "deno" | "bun"): CliError {
  const name = runtime === "deno" ? "Deno" : "Bun";
  return new CliError(`--runtime ${runtime}: ${name} is not installed. Put ${runtime} on PATH (${INSTALL_HINT[runtime]}), or add it to this project with npm install --save-dev ${runtime}`);
}

/**
 * Arguments that run the CLI's built entry for `runtime`. Deno gets an import map that points
 * `switchyard` and its subpaths at this installation's `dist/` (so a config anywhere on disk
 * resolves them), the npm dependencies from `node_modules` (never fetched), and the request-signal
 * behaviour that aborts only on a real client disconnect. Bun's entry registers its own resolver.
 */
export function runtimeArgs(runtime: "deno" | "bun", distDir: string, argv: string[]): string[] {
  if (runtime === "bun") return ["--no-install", join(distDir, "cli-bun.js"), ...argv];
  // Installed by npm (or a checkout): use that node_modules. From Deno's own npm cache, Deno resolves.
  const npmInstalled = distDir.includes(`${sep}node_modules${sep}`) || existsSync(join(distDir, "..", "node_modules"));
  return [
    "run",
    "--allow-all",
    "--no-config",
    ...(npmInstalled ? ["--node-modules-dir=manual"] : []),
    `--import-map=${join(distDir, "import-map.json")}`,
    "--unstable-no-legacy-abort",
    join(distDir, "cli-deno.js"),
    ...argv,
  ];
}

/**
 * Run the same command under Deno or Bun: stdio shared, signals forwarded (the child drains and
 * exits on its own), its exit code relayed.
 */
export function relaunch(runtime: RuntimeName, argv: string[], distDir: string, binary?: string): Promise<number> {
  if (runtime === "node") throw new CliError("already running on node");
  const file = binary ?? findRuntime(runtime, join(distDir, ".."));
  if (file === null) return Promise.reject(missingRuntime(runtime));
  const child = spawn(file, runtimeArgs(runtime, distDir, argv), {
    stdio: "inherit",
    env: { ...process.env, [RELAUNCHED_ENV]: runtime, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" },
  });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once("error", (error) => {
      const missing = (error as { code?: string }).code === "ENOENT";
      reject(missing ? missingRuntime(runtime) : new CliError(error.message));
    });
    child.once("exit", (code, signal) => {
      for (const s of FORWARDED_SIGNALS) process.off(s, forward);
      resolve(code ?? (signal === null ? 1 : 128 + signalNumber(signal)));
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 2 : signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : 1;
}
