import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SELF_ENTRIES } from "../../cli/load-config.ts";
import { ROOT } from "../helpers/cli.ts";
// @ts-expect-error: plain ESM scripts without type declarations
import { compareExports, readManifests } from "../../scripts/check-exports.mjs";
// @ts-expect-error: plain ESM scripts without type declarations
import { ENTRIES } from "../../scripts/build.mjs";

type Manifest = { name: string; version: string; exports: Record<string, unknown> };
const { pkg, deno } = (await readManifests()) as { pkg: Manifest; deno: Manifest };
const npmEntries = Object.entries(pkg.exports).filter(([, target]) => typeof target === "object") as [string, { default: string }][];
const specifier = (subpath: string): string => (subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);

describe("one exports map for npm, Deno and the CLI", () => {
  it("package.json and deno.json agree (scripts/check-exports.mjs)", () => {
    expect(compareExports(pkg, deno, ENTRIES)).toEqual([]);
  });

  it("reports an entry point added to one manifest only, and a version bump in one", () => {
    const drifted = { ...pkg, version: "9.9.9", exports: { ...pkg.exports, "./extra": { source: "./extra/index.ts", types: "./dist/types/extra/index.d.ts", default: "./dist/extra.js" } } };
    const problems = compareExports(drifted, deno, ENTRIES) as string[];
    expect(problems).toContain("version: package.json 9.9.9, deno.json 0.1.0");
    expect(problems).toContain("./extra: in package.json, missing from deno.json");
    expect(problems.some((p) => p.startsWith("./extra: ./dist/extra.js is not built from"))).toBe(true);
    const denoOnly = { ...deno, exports: { ...deno.exports, "./more": "./more.ts" } };
    expect(compareExports(pkg, denoOnly, ENTRIES)).toEqual(["./more: in deno.json, missing from package.json"]);
  });

  it("a config's switchyard imports resolve to every public entry on Node and Bun (cli SELF_ENTRIES)", () => {
    const expected = Object.fromEntries(npmEntries.map(([subpath, target]) => [specifier(subpath), target.default.replace("./dist/", "")]));
    expect(SELF_ENTRIES).toEqual(expected);
  });

  it("and on Deno (the import map the build writes)", () => {
    const map = JSON.parse(readFileSync(join(ROOT, "dist", "import-map.json"), "utf8")) as { imports: Record<string, string> };
    const expected = Object.fromEntries(npmEntries.map(([subpath, target]) => [specifier(subpath), target.default.replace("./dist/", "./")]));
    expect(map.imports).toEqual(expected);
  });
});
