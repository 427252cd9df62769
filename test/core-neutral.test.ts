import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../core/index.ts", import.meta.url));
const RUNTIME_GLOBALS = ["process", "Deno", "Bun", "Buffer", "require", "__dirname", "global", "setImmediate"];

/** Bundle core the way a runtime-neutral consumer would: no node built-ins may be reachable. */
async function bundleCore(): Promise<{ code: string; imports: string[] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "silent",
  });
  const imports = Object.values(result.metafile!.inputs).flatMap((input) => input.imports.map((i) => i.path));
  return { code: result.outputFiles[0].text, imports };
}

describe("core is web-standard", () => {
  it("bundles for a neutral platform with no node: imports", async () => {
    const { imports } = await bundleCore();
    expect(imports.filter((path) => path.startsWith("node:") || /^(fs|path|http|net|os|crypto|stream|events|util)$/.test(path))).toEqual([]);
  });

  it("references no runtime-specific globals in core's own sources", async () => {
    const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: "neutral", format: "esm", metafile: true, logLevel: "silent", packages: "external" });
    const sources = Object.keys(result.metafile!.inputs).filter((path) => path.startsWith("core/"));
    expect(sources.length).toBeGreaterThan(10);
    const { readFileSync } = await import("node:fs");
    const offenders: string[] = [];
    for (const path of sources) {
      // Strip comments and strings so prose mentioning a runtime does not count.
      const text = readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "")
        .replace(/(["'`])(?:\\.|(?!\1)[^\\])*\1/g, '""');
      for (const name of RUNTIME_GLOBALS) if (new RegExp(`(?<![\\w.$])${name}(?![\\w$])`).test(text)) offenders.push(`${path}: ${name}`);
    }
    expect(offenders).toEqual([]);
  });
});
