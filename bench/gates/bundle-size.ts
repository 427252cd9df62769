import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * Bytes of core (`core/index.ts` and what it pulls in) bundled for a neutral platform, minified,
 * then gzipped. With `withoutDialects`, the wire formats' translators (`dialects/`) are left out,
 * so core's own size is judged apart from the number of formats the gateway speaks.
 */
export async function coreBundleSize(entry: string, withoutDialects = false): Promise<{ minified: number; gzip: number }> {
  const result = await build({
    plugins: withoutDialects
      ? [{ name: "without-dialects", setup: (b) => b.onResolve({ filter: /\/dialects\// }, (args) => ({ path: args.path, external: true })) }]
      : [],
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
