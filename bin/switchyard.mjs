#!/usr/bin/env node
// The CLI runs from dist/. In a source checkout, dist/ is rebuilt first when any source file is
// newer than the last build, so `npm start` after a `git pull` never runs stale code.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_DIRS = ["core", "providers", "plugins", "stores", "sinks", "runtimes", "cli", "testing"];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stamp = join(root, "dist", ".built");
if (existsSync(join(root, "core"))) {
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const sources = Math.max(...SOURCE_DIRS.filter((d) => existsSync(join(root, d))).map((d) => newestSource(join(root, d))));
  if (sources > builtAt) {
    const { buildDist } = await import(pathToFileURL(join(root, "scripts", "build.mjs")).href);
    await buildDist({ quiet: true });
  }
}
// `bunx --bun switchyard` and `deno run -A npm:switchyard` run this file on their own runtime.
const entry = globalThis.Deno !== undefined ? "cli-deno.js" : globalThis.Bun !== undefined ? "cli-bun.js" : "cli.js";
await import(pathToFileURL(join(root, "dist", entry)).href);
