import { createGateway, type Gateway, type GatewayOptions } from "../core/gateway.ts";
import type { GatewayConfig } from "../core/config.ts";
import { embeddedConfig } from "./default-config.ts";
import type { RuntimeHost } from "./host.ts";
import { CliError, findConfig } from "./load-config.ts";

/** A config as the CLI found it: the file (or the embedded default) and what it imports. */
export interface ResolvedConfig {
  readonly config: GatewayConfig;
  readonly source: string;
  /** Local files the config was built from; empty for the embedded default. */
  readonly inputs: readonly string[];
}

export const EMBEDDED_SOURCE = "embedded default (mock model)";

/** `--config`, else the first config file in the working directory, else the embedded default. */
export async function resolveConfig(explicit: string | undefined, host: RuntimeHost): Promise<ResolvedConfig> {
  const path = findConfig(process.cwd(), explicit);
  if (path === null) return { config: embeddedConfig(process.env), source: EMBEDDED_SOURCE, inputs: [] };
  const loaded = await host.loadConfig(path);
  return { config: loaded.config, source: path, inputs: loaded.inputs.length > 0 ? loaded.inputs : [path] };
}

/** Build a gateway with the runtime's upstream client; config problems become one-line CLI errors. */
export async function buildGateway(config: GatewayConfig, host: RuntimeHost, options: GatewayOptions = {}): Promise<Gateway> {
  const upstream = config.upstream ?? host.upstream();
  try {
    return await createGateway({ ...config, upstream }, { afterResponse: host.afterResponse, ...options });
  } catch (error) {
    if (upstream !== config.upstream) await upstream.close?.().catch(() => {});
    throw new CliError((error as Error).message);
  }
}
