import { existsSync } from "node:fs";
import { unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin as EsbuildPlugin } from "esbuild";
import type { GatewayConfig } from "../core/config.ts";

export const CONFIG_NAMES = ["switchyard.config.ts", "switchyard.config.mts", "switchyard.config.js", "switchyard.config.mjs"];

/** The public entry points, as built files next to the running CLI. */
export const SELF_ENTRIES: Record<string, string> = {
  switchyard: "index.js",
  "switchyard/providers": "providers.js",
  "switchyard/plugins": "plugins.js",
  "switchyard/stores": "stores.js",
  "switchyard/sinks": "sinks.js",
  "switchyard/node": "node.js",
  "switchyard/deno": "deno.js",
  "switchyard/bun": "bun.js",
  "switchyard/testing": "testing.js",
};

/** A loaded config and the local files it was built from (what `--watch` watches). */
export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly inputs: readonly string[];
}

/** Absolute paths of a bundle's local inputs (esbuild and Bun both list them relative to the working directory). */
export function localInputs(inputs: Iterable<string>, cwd: string): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    if (input.includes(":") && !/^[A-Za-z]:[\\/]/.test(input)) continue; // a namespace, not a file
    const path = resolve(cwd, input);
    if (!path.split(/[\\/]/).includes("node_modules")) out.push(path);
  }
  return out;
}

/** A user-facing failure: the CLI prints the message alone, no stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export function findConfig(cwd: string, explicit: string | undefined): string | null {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new CliError(`config file not found: ${path}`);
    return path;
  }
  for (const name of CONFIG_NAMES) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Imports of `switchyard` and its subpaths resolve to this installation, wherever the config
 * lives (as Vite does for vite.config.ts), so a config needs no local install of the package.
 */
function selfResolve(distDir: string): EsbuildPlugin {
  return {
    name: "switchyard-self",
    setup(b) {
      b.onResolve({ filter: SELF_SPECIFIER }, (args) => {
        const path = selfEntryPath(args.path, distDir);
        return typeof path === "string" ? { path: pathToFileURL(path).href, external: true } : { errors: [{ text: path.error }] };
      });
    },
  };
}

export const SELF_SPECIFIER = /^switchyard(\/.*)?$/;

/** The built file a `switchyard…` import names, or why there is none. */
export function selfEntryPath(specifier: string, distDir: string): string | { error: string } {
  const file = SELF_ENTRIES[specifier];
  if (file === undefined) return { error: `"${specifier}" is not an entry point of switchyard (${Object.keys(SELF_ENTRIES).join(", ")})` };
  return join(distDir, file);
}

/**
 * Load a config script on Node (and Deno): bundle it with esbuild (TypeScript included), import
 * it, return its default export. Bundling makes every load fresh, so a reload sees a changed
 * config and the files it imports. `distDir` holds the built entries `switchyard` imports resolve to.
 */
export async function loadConfig(path: string, distDir: string): Promise<LoadedConfig> {
  // Loaded on demand: Bun bundles configs itself and never needs esbuild.
  const { build, stop } = await import("esbuild");
  let code: string;
  let inputs: string[];
  bundling++;
  try {
    const result = await build({
      entryPoints: [path],
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
      plugins: [selfResolve(distDir)],
    });
    code = result.outputFiles[0].text;
    inputs = localInputs(Object.keys(result.metafile.inputs), process.cwd());
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
    throw new CliError(`cannot load config ${path}: ${first?.text ?? (error as Error).message}${where}`);
  } finally {
    // esbuild keeps a service process (and its threads) running after a build; a gateway loads
    // its config once per start or reload, so it ends it rather than carry it for its lifetime.
    // The next build starts a new one.
    if (--bundling === 0) await stop().catch(() => {});
  }
  return { config: await importBundled(code, path), inputs };
}

/** Config builds in progress: esbuild's service is stopped only when none is. */
let bundling = 0;

/** Import a bundled config and return its default export. */
export async function importBundled(code: string, path: string): Promise<GatewayConfig> {
  // Written beside the config so the config's own bare imports resolve from its node_modules.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.mjs`);
  await writeFile(temp, code);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(temp).href);
  } catch (error) {
    throw new CliError(`config ${path} failed while loading: ${(error as Error).message}`);
  } finally {
    await unlink(temp).catch(() => {});
  }
  return configFromModule(mod, path);
}

/** A config module's default export, or a one-line reason why there is none. */
export function configFromModule(mod: { default?: unknown }, path: string): GatewayConfig {
  const config = mod.default;
  if (config === undefined) throw new CliError(`config ${path} has no default export; export default defineConfig({ ... })`);
  return config as GatewayConfig;
}
