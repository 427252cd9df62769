import { CliError, importBundled, type LoadedConfig, localInputs, SELF_SPECIFIER, selfEntryPath } from "./load-config.ts";

interface BunBuildPluginBuilder {
  onResolve(options: { filter: RegExp }, callback: (args: { path: string }) => { path: string; external: boolean }): void;
}
interface BunBuildResult {
  success: boolean;
  logs: { message: string }[];
  outputs: { text(): Promise<string> }[];
  metafile?: { inputs: Record<string, unknown> };
}
interface BunBundler {
  build(options: {
    entrypoints: string[];
    target: "bun";
    format: "esm";
    packages: "external";
    metafile: boolean;
    plugins: { name: string; setup(build: BunBuildPluginBuilder): void }[];
  }): Promise<BunBuildResult>;
}

/**
 * Load a config on Bun with Bun's own bundler (TypeScript included), `switchyard` imports pointed
 * at `distDir`. A runtime `Bun.plugin` cannot do it: Bun 1.4 never calls a runtime plugin's
 * `onResolve` for bare specifiers (oven-sh/bun#40579); its bundler's `onResolve` works.
 */
export async function loadBunConfig(path: string, distDir: string): Promise<LoadedConfig> {
  const bun = (globalThis as unknown as { Bun: BunBundler }).Bun;
  let result: BunBuildResult;
  try {
    result = await bun.build({
      entrypoints: [path],
      target: "bun",
      format: "esm",
      packages: "external",
      metafile: true,
      plugins: [
        {
          name: "switchyard-self",
          setup(build) {
            build.onResolve({ filter: SELF_SPECIFIER }, (args) => {
              const file = selfEntryPath(args.path, distDir);
              if (typeof file !== "string") throw new Error(file.error);
              return { path: file, external: true };
            });
          },
        },
      ],
    });
  } catch (error) {
    throw new CliError(`cannot load config ${path}: ${firstLine(error)}`);
  }
  if (!result.success) throw new CliError(`cannot load config ${path}: ${result.logs[0]?.message ?? "build failed"}`);
  const inputs = localInputs(Object.keys(result.metafile?.inputs ?? { [path]: true }), process.cwd());
  return { config: await importBundled(await result.outputs[0].text(), path), inputs };
}

function firstLine(error: unknown): string {
  const e = error as { message?: string; errors?: { message?: string }[] } | null;
  return String(e?.errors?.[0]?.message ?? e?.message ?? error).split("\n")[0];
}
