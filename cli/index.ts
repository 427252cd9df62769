import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterResponse } from "../runtimes/after-response.ts";
import { nodeUpstream, serve } from "../runtimes/node.ts";
import type { RuntimeHost } from "./host.ts";
import { loadConfig } from "./load-config.ts";
import { main } from "./main.ts";
import { relaunch } from "./relaunch.ts";

// This file is built as dist/cli.js, beside the public entries a config's imports resolve to.
const distDir = dirname(fileURLToPath(import.meta.url));

const node: RuntimeHost = {
  name: "node",
  loadConfig: (path) => loadConfig(path, distDir),
  upstream: () => nodeUpstream(),
  serve,
  afterResponse,
  relaunch: (runtime, argv) => relaunch(runtime, argv, distDir),
};

const code = await main(process.argv.slice(2), node);
// `start` keeps serving (null); every other command ends here.
if (code !== null) process.exitCode = code;
