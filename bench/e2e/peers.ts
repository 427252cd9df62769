/**
 * Other gateways, measured in the same run as Switchyard: the Portkey gateway (its npm package and
 * `start-server.js`, `--headless`), and a minimal Hono proxy as the framework floor. They are
 * installed on demand into bench/peers/ (its own package.json, pinned; never a dependency of the
 * package). A peer that cannot be installed or started is reported as unavailable, not fatal.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Endpoint } from "./load.ts";
import { freePort, runToEnd, type RunningServer, startServer, type Unavailable } from "./processes.ts";
import { BENCH_KEY, repoRoot } from "./targets.ts";

const peersDir = join(repoRoot, "bench/peers");
const portkeyStart = join(peersDir, "node_modules/@portkey-ai/gateway/build/start-server.js");

/** Install the peers once (npm, into bench/peers/node_modules); null when ready, the reason otherwise. */
export async function installPeers(say: (line: string) => void): Promise<string | null> {
  if (existsSync(portkeyStart) && existsSync(join(peersDir, "node_modules/@hono/node-server"))) return null;
  say("installing bench peers into bench/peers (npm install, pinned versions) …");
  try {
    await runToEnd("npm", ["install", "--prefix", peersDir, "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"]);
    return null;
  } catch (error) {
    return `npm install failed: ${(error as Error).message.split("\n")[0]}`;
  }
}

/**
 * The Portkey gateway prints no "listening on" line of its own; a small wrapper starts it and
 * prints one once it answers.
 */
export async function startPortkey(upstream: string): Promise<RunningServer | Unavailable> {
  if (!existsSync(portkeyStart)) return { name: "portkey", unavailable: "not installed" };
  const port = await freePort();
  return startServer("portkey", process.execPath, [join(peersDir, "start-portkey.mjs"), "--port", String(port)], { NODE_ENV: "production" });
}

export async function startHonoProxy(upstream: string): Promise<RunningServer | Unavailable> {
  const script = join(peersDir, "hono-proxy.mjs");
  if (!existsSync(join(peersDir, "node_modules/hono"))) return { name: "hono", unavailable: "not installed" };
  return startServer("hono", process.execPath, [script, "--upstream", upstream, "--port", String(await freePort())]);
}

/** How the bench addresses Portkey: its provider headers send each request to the mock upstream. */
export function portkeyEndpoint(url: string, upstream: string): Endpoint {
  return {
    url,
    model: "bench-model",
    key: "sk-upstream-bench",
    headers: { "x-portkey-provider": "openai", "x-portkey-custom-host": `${upstream}/v1` },
  };
}

export function honoEndpoint(url: string): Endpoint {
  return { url, model: "bench-model", key: BENCH_KEY };
}
