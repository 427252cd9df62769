import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Bytes of core (`core/index.ts` and what it pulls in) bundled for a neutral platform, minified, then gzipped. */
export async function coreBundleSize(entry: string): Promise<{ minified: number; gzip: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}
