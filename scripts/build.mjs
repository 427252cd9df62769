// Build dist/ with esbuild: one ESM file per public entry, shared code split into chunks so
// every entry sees the same core module instances. Dependencies stay external.
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRIES = {
  index: "core/index.ts",
  providers: "providers/index.ts",
  plugins: "plugins/index.ts",
  stores: "stores/index.ts",
  sinks: "sinks/index.ts",
  node: "runtimes/node.ts",
  testing: "testing/index.ts",
  cli: "cli/index.ts",
};

export async function buildDist({ quiet = false } = {}) {
  const outdir = join(root, "dist");
  await rm(outdir, { recursive: true, force: true });
  const started = Date.now();
  await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    chunkNames: "chunks/[name]-[hash]",
    logLevel: quiet ? "error" : "warning",
  });
  await writeFile(join(outdir, ".built"), String(Date.now()));
  if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDist();
}
