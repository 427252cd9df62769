// Build dist/ with esbuild: one ESM file per public entry, shared code split into chunks so
// every entry sees the same core module instances. Dependencies stay external.
import { build } from "esbuild";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { dashboardAssetsPlugin } from "../plugins/dashboard/build-assets.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ENTRIES = {
  index: "core/index.ts",
  providers: "providers/index.ts",
  plugins: "plugins/index.ts",
  stores: "stores/index.ts",
  sinks: "sinks/index.ts",
  node: "runtimes/node.ts",
  deno: "runtimes/deno.ts",
  bun: "runtimes/bun.ts",
  testing: "testing/index.ts",
  cli: "cli/index.ts",
  "cli-deno": "cli/deno.ts",
  "cli-bun": "cli/bun.ts",
};

/**
 * dist/import-map.json: `switchyard` and each subpath of package.json's exports → its built file,
 * so a config run by Deno resolves them to this installation wherever the config lives.
 */
async function writeImportMap(outdir) {
  const { name, exports } = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
  const imports = {};
  for (const [subpath, target] of Object.entries(exports)) {
    const file = typeof target === "string" ? target : target.default;
    if (!file.startsWith("./dist/") || !file.endsWith(".js")) continue;
    imports[subpath === "." ? name : `${name}/${subpath.slice(2)}`] = `./${file.slice("./dist/".length)}`;
  }
  await writeFile(join(outdir, "import-map.json"), JSON.stringify({ imports }, null, 2) + "\n");
}

export async function buildDist({ quiet = false } = {}) {
  const outdir = join(root, "dist");
  // dist/types comes from tsc (`npm run build:types`), which is slow: it survives a JS rebuild.
  const previous = await readdir(outdir).catch(() => []);
  await Promise.all(previous.filter((name) => name !== "types").map((name) => rm(join(outdir, name), { recursive: true, force: true })));
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
    // The dashboard app goes in bundled, so dist/ serves it with no bundler.
    plugins: [dashboardAssetsPlugin()],
  });
  await writeImportMap(outdir);
  await writeFile(join(outdir, ".built"), String(Date.now()));
  if (!quiet) console.log(`built dist/ in ${Date.now() - started} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildDist();
}
