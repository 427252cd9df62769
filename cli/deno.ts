import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterResponse } from "../runtimes/after-response.ts";
import { denoUpstream, serve } from "../runtimes/deno.ts";
import type { RuntimeHost } from "./host.ts";
import { loadConfig } from "./load-config.ts";
import { main } from "./main.ts";
import { RELAUNCHED_ENV, relaunch } from "./relaunch.ts";

// Built as dist/cli-deno.js, beside dist/import-map.json.
const distDir = dirname(fileURLToPath(import.meta.url));
const execPath = (globalThis as unknown as { Deno: { execPath(): string } }).Deno.execPath();

/** Set by `relaunch` for the process it starts with the import map that resolves `switchyard`. */
const relaunched = process.env[RELAUNCHED_ENV] === "deno";

const argv = process.argv.slice(2);
// Configs are bundled with esbuild as on Node, so a reload sees changed imports (a native import is cached).
const deno: RuntimeHost = { name: "deno", loadConfig: (path) => loadConfig(path, distDir), upstream: denoUpstream, serve, afterResponse };
// Run directly (`deno run -A npm:switchyard start`), configs could not import `switchyard`:
// run again under this same Deno with the flags the Node CLI would have passed.
const code = relaunched ? await main(argv, deno) : await relaunch("deno", argv, distDir, execPath);
if (code !== null) process.exitCode = code;
