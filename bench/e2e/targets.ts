import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Endpoint } from "./load.ts";
import { benchLogFile } from "./log-files.ts";
import { freePort, type RunningServer, startServer, type Unavailable } from "./processes.ts";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "../..");

export type Runtime = "node" | "deno" | "bun";
export const RUNTIMES: readonly Runtime[] = ["node", "deno", "bun"];

/** The bearer key of the full chain's auth config (bench/e2e/config-full.ts). */
export const BENCH_KEY = "sk-bench-key";
const BARE_MODEL = "upstream/bench-model";
const FULL_MODEL = "bench";

function runtimeBinary(runtime: "deno" | "bun"): string {
  const local = join(repoRoot, "node_modules/.bin", runtime);
  return existsSync(local) ? local : runtime;
}

export function startMock(latencyMs: number): Promise<RunningServer | Unavailable> {
  return startServer("mock", process.execPath, [join(here, "mock-upstream.mjs"), "--port", "0", "--latency-ms", String(latencyMs)]);
}

export async function startFloor(runtime: Runtime, upstream: string): Promise<RunningServer | Unavailable> {
  const port = String(await freePort());
  const flags = ["--upstream", upstream, "--port", port];
  if (runtime === "node") return startServer("floor", process.execPath, [join(here, "floor-node.mjs"), ...flags]);
  if (runtime === "deno") return startServer("floor", runtimeBinary("deno"), ["run", "--allow-net", join(here, "floor-deno.ts"), ...flags]);
  return startServer("floor", runtimeBinary("bun"), [join(here, "floor-bun.ts"), ...flags]);
}

/** The parsing floor: the least a correct gateway does for a request, on Node, with no framework (bench/e2e/floor-parsing-node.mjs). */
export async function startParsingFloor(upstream: string): Promise<RunningServer | Unavailable> {
  const args = [join(here, "floor-parsing-node.mjs"), "--upstream", upstream, "--port", String(await freePort()), "--log", benchLogFile("parsing-floor")];
  return startServer("parsing-floor", process.execPath, args);
}

export type GatewayKind = "bare" | "full";

/**
 * A gateway through the CLI of the installation at `root` (this checkout, or a baseline in
 * bench:compare). Node is the CLI's own runtime; other runtimes are asked for with `--runtime`.
 */
export async function startGateway(root: string, kind: GatewayKind, runtime: Runtime, upstream: string, configDir: string, name: string = kind, extraArgs: readonly string[] = [], env: Record<string, string> = {}): Promise<RunningServer | Unavailable> {
  const port = String(await freePort());
  const args = [join(root, "bin/switchyard.mjs"), "start", "--config", join(configDir, `config-${kind}.ts`), "--port", port, ...extraArgs];
  if (runtime !== "node") args.push("--runtime", runtime);
  return startServer(name, process.execPath, args, { BENCH_UPSTREAM_URL: upstream, BENCH_LOG_FILE: benchLogFile(`${name}-${runtime}`), ...env });
}

export function endpointFor(kind: "direct" | "floor" | "parsing-floor" | GatewayKind, url: string): Endpoint {
  const model = kind === "full" || kind === "parsing-floor" ? FULL_MODEL : kind === "bare" ? BARE_MODEL : "bench-model";
  return { url, model, key: BENCH_KEY };
}
