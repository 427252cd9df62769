// Run a TypeScript file on Node: bundle it with esbuild (dependencies stay external), then import it.
import { build } from "esbuild";
import { rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { dashboardAssetsPlugin } from "../plugins/dashboard/build-assets.mjs";

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/run-ts.mjs <file.ts> [args…]");
  process.exit(1);
}
const entry = resolve(file);
const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: "node", format: "esm", target: "node20", packages: "external", logLevel: "error", plugins: [dashboardAssetsPlugin()] });
// Beside the source, so its bare imports and `import.meta.url`-relative paths resolve as in the source.
const out = join(dirname(entry), `.${basename(entry)}.${process.pid}.run.mjs`);
await writeFile(out, result.outputFiles[0].text);
process.argv = [process.argv[0], entry, ...args];
try {
  await import(pathToFileURL(out).href);
} finally {
  await rm(out, { force: true });
}
