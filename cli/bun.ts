import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterResponse } from "../runtimes/after-response.ts";
import { bunUpstream, serve } from "../runtimes/bun.ts";
import { loadBunConfig } from "./bun-config.ts";
import type { RuntimeHost } from "./host.ts";
import { main } from "./main.ts";

// Built as dist/cli-bun.js, beside the public entries a config's imports resolve to.
const distDir = dirname(fileURLToPath(import.meta.url));

const bun: RuntimeHost = { name: "bun", loadConfig: (path) => loadBunConfig(path, distDir), upstream: bunUpstream, serve, afterResponse };
const code = await main(process.argv.slice(2), bun);
if (code !== null) process.exitCode = code;
