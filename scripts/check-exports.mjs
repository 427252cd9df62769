// package.json's exports map and deno.json's must name the same entry points, built from the same
// sources; versions must match. Run by CI and by test/packaging/exports.test.ts.
//   node scripts/check-exports.mjs          exit 1 with the differences, if any
//   node scripts/check-exports.mjs --list   print deno.json's entry files (for `deno check`)
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ENTRIES } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Every way the two manifests (and the build's entries) disagree; empty when they agree. */
export function compareExports(pkg, deno, entries) {
  const problems = [];
  if (pkg.version !== deno.version) problems.push(`version: package.json ${pkg.version}, deno.json ${deno.version}`);
  const npm = Object.entries(pkg.exports).filter(([, target]) => typeof target === "object");
  const denoExports = deno.exports ?? {};
  for (const [subpath, target] of npm) {
    const source = target.source;
    if (denoExports[subpath] === undefined) problems.push(`${subpath}: in package.json, missing from deno.json`);
    else if (denoExports[subpath] !== source) problems.push(`${subpath}: deno.json has ${denoExports[subpath]}, package.json's source is ${source}`);
    const built = /^\.\/dist\/(.+)\.js$/.exec(target.default ?? "")?.[1];
    if (built === undefined || `./${entries[built]}` !== source) problems.push(`${subpath}: ${target.default} is not built from ${source} (scripts/build.mjs ENTRIES)`);
    const types = `./dist/types/${String(source).replace(/^\.\//, "").replace(/\.ts$/, ".d.ts")}`;
    if (target.types !== types) problems.push(`${subpath}: types should be ${types}, not ${target.types}`);
  }
  for (const subpath of Object.keys(denoExports)) {
    if (!npm.some(([s]) => s === subpath)) problems.push(`${subpath}: in deno.json, missing from package.json`);
  }
  return problems;
}

export async function readManifests() {
  const read = async (name) => JSON.parse(await readFile(join(root, name), "utf8"));
  return { pkg: await read("package.json"), deno: await read("deno.json") };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { pkg, deno } = await readManifests();
  if (process.argv.includes("--list")) {
    console.log(Object.values(deno.exports).join(" "));
  } else {
    const problems = compareExports(pkg, deno, ENTRIES);
    for (const problem of problems) console.error(`exports drift: ${problem}`);
    if (problems.length > 0) process.exit(1);
    console.log(`package.json and deno.json export the same ${Object.keys(deno.exports).length} entry points`);
  }
}
