import { pathToFileURL } from "node:url";
import type { GatewayConfig } from "../core/config.ts";
import { CliError, configFromModule } from "./load-config.ts";

/** Deno and Bun run TypeScript natively: the config is imported as it is, no bundling. */
export async function importConfig(path: string): Promise<GatewayConfig> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    throw new CliError(`cannot load config ${path}: ${message.split("\n")[0]}`);
  }
  return configFromModule(mod, path);
}
