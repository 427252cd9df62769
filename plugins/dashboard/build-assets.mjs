// @ts-self-types="./build-assets.d.mts"
// Bundles the dashboard's single-page app (app/) with esbuild into three strings: the page, one
// script and one stylesheet, named by their content's hash so browsers may cache them forever.
// scripts/build.mjs inlines the result into dist/; from source, the plugin calls this at setup.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const APP = new URL("./app/", import.meta.url);

function hashed(stem, ext, text) {
  return `${stem}.${createHash("sha256").update(text).digest("hex").slice(0, 12)}.${ext}`;
}

export async function buildDashboardAssets() {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: { app: fileURLToPath(new URL("main.ts", APP)) },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    outdir: "out",
    write: false,
    legalComments: "none",
    logLevel: "error",
  });
  let script = "";
  let style = "";
  for (const file of result.outputFiles) {
    if (file.path.endsWith(".js")) script = file.text;
    else if (file.path.endsWith(".css")) style = file.text;
  }
  const scriptName = hashed("app", "js", script);
  const styleName = hashed("app", "css", style);
  const page = (await readFile(new URL("index.html", APP), "utf8"))
    .replace("{{script}}", scriptName)
    .replace("{{style}}", styleName);
  return {
    page,
    files: {
      [scriptName]: { type: "text/javascript; charset=utf-8", body: script },
      [styleName]: { type: "text/css; charset=utf-8", body: style },
    },
  };
}

/**
 * An esbuild plugin that inlines the bundled app in place of plugins/dashboard/assets.ts: dist/
 * (scripts/build.mjs) and bundled scripts (scripts/run-ts.mjs) then carry the app with them and
 * need no bundler, nor the app's sources beside them, at run time.
 */
export function dashboardAssetsPlugin() {
  return {
    name: "dashboard-assets",
    setup(build) {
      build.onLoad({ filter: /plugins[\\/]dashboard[\\/]assets\.ts$/ }, async () => ({
        contents: `const assets = ${JSON.stringify(await buildDashboardAssets())};\nexport async function dashboardAssets() { return assets; }\n`,
        loader: "js",
      }));
    },
  };
}
