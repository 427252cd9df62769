import type { Gateway } from "../core/gateway.ts";
import { type ReloadingGateway, reloadingGateway } from "../core/reloading.ts";
import type { ReloadResult, ServerControl } from "../core/server-control.ts";
import type { RunningServer, ServeOptions } from "../runtimes/serve-options.ts";
import { buildGateway, EMBEDDED_SOURCE, type ResolvedConfig, resolveConfig } from "./config-source.ts";
import { checkExposure } from "./exposure.ts";
import type { RuntimeHost } from "./host.ts";
import { CliError } from "./load-config.ts";

export interface ServedConfig {
  readonly gateway: ReloadingGateway;
  readonly server: RunningServer;
  readonly source: string;
  /** The files the serving config was built from (they change with a reload). */
  inputs(): readonly string[];
}

export interface ServeConfigOptions {
  /** `--config`, if given. */
  config: string | undefined;
  listen: ServeOptions;
  /** What plugins see as `app.server` (a worker's reaches every worker). */
  server?: ServerControl;
  version?: number;
  workers?: number;
  /** What the server serves, in place of the gateway itself (a worker answers `/metrics` for the whole server). */
  wrap?: (gateway: ReloadingGateway) => Gateway;
}

/** Load the config, build a reloading gateway and serve it. */
export async function serveConfig(host: RuntimeHost, options: ServeConfigOptions): Promise<ServedConfig> {
  let first: ResolvedConfig | null = await resolveConfig(options.config, host);
  const source = first.source;
  checkExposure(source === EMBEDDED_SOURCE, options.listen.host ?? "127.0.0.1");
  let inputs = first.inputs;
  const gateway = await reloadingGateway({
    source,
    version: options.version,
    workers: options.workers,
    server: options.server,
    async load() {
      const loaded = first ?? (await resolveConfig(options.config, host));
      first = null;
      inputs = loaded.inputs;
      return loaded.config;
    },
    build: (config, gatewayOptions) => buildGateway(config, host, gatewayOptions),
  });
  let server: RunningServer;
  try {
    server = await host.serve(options.wrap?.(gateway) ?? gateway, options.listen);
  } catch (error) {
    await gateway.close({ timeoutMs: 0 });
    throw listenFailure(error, options.listen.host ?? "127.0.0.1", options.listen.port ?? 8787);
  }
  return { gateway, server, source, inputs: () => inputs };
}

/** Listen errors differ by runtime: Node and Bun set `code`, Deno names the error class. */
function listenFailure(error: unknown, host: string, port: number): CliError {
  const { code, name } = (error ?? {}) as { code?: string; name?: string };
  if (code === "EADDRINUSE" || name === "AddrInUse") return new CliError(`port ${port} on ${host} is already in use`);
  if (code === "EACCES" || name === "PermissionDenied") return new CliError(`no permission to listen on ${host}:${port}`);
  return new CliError((error as Error).message);
}

/** One line per reload: what it did, or why the old config still serves. */
export function reportReload(result: ReloadResult, trigger: string): void {
  if (result.ok) {
    const workers = result.workers === undefined ? "" : `, ${result.workers.ok} of ${result.workers.total} workers`;
    console.log(`switchyard: reloaded the config (${trigger}): version ${result.version}, ${result.durationMs} ms${workers}`);
  } else {
    console.error(`switchyard: reload (${trigger}) failed; version ${result.version} keeps serving: ${result.error}`);
  }
}
