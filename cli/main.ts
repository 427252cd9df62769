import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { VERSION } from "../core/version.ts";
import { HOOK_NAMES } from "../core/plugin.ts";
import { DEFAULT_PORT } from "../runtimes/serve-options.ts";
import { buildGateway, EMBEDDED_SOURCE, resolveConfig } from "./config-source.ts";
import { exposureNotice } from "./exposure.ts";
import { RUNTIMES, type RuntimeHost, type RuntimeName } from "./host.ts";
import { CliError, CONFIG_NAMES } from "./load-config.ts";
import { reportReload, serveConfig } from "./serve-config.ts";
import { describeGateway } from "./summary.ts";
import { type FileWatcher, watchFiles } from "./watch.ts";
import { WORKER_ENV } from "./cluster/messages.ts";
import { runPrimary } from "./cluster/primary.ts";
import { runWorker } from "./cluster/worker.ts";

const HELP = `switchyard ${VERSION}: an LLM gateway

Usage:
  switchyard start [--config FILE] [--port N] [--host H] [--runtime node|deno|bun] [--watch] [--workers N|auto]
                                     serve the gateway
  switchyard check [--config FILE]   validate a config and print what it builds
  switchyard --version | --help

Without --config, the first of ${CONFIG_NAMES.join(", ")} in the working directory is used;
with none, an embedded default serves the "mock" model (and OpenAI when OPENAI_API_KEY is set).

  --port N, -p N     the port (default: the PORT variable, else ${DEFAULT_PORT}; 0 picks a free one)
  --host H           the address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --runtime R, -r R  serve under Deno or Bun (found on PATH, else the ones installed with
                     switchyard); the default is the runtime running this command
  --watch, -w        reload when the config file or a file it imports changes
  --workers N|auto   serve from N processes on one port (auto: one per core); limits, /metrics,
                     reloads and shutdown cover them all (default 1)

A reload (--watch, SIGHUP, or POST /admin/v1/reload with the admin plugin) builds the new config
beside the serving one and swaps it in without dropping a request; a config that fails keeps the
old one serving.`;

interface Flags {
  config?: string;
  port?: string;
  host?: string;
  runtime?: string;
  watch?: boolean;
  workers?: string;
  help?: boolean;
  version?: boolean;
}

function parse(argv: string[]): { command: string | undefined; flags: Flags } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: "string", short: "c" },
        port: { type: "string", short: "p" },
        host: { type: "string" },
        runtime: { type: "string", short: "r" },
        watch: { type: "boolean", short: "w" },
        workers: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
    if (positionals.length > 1) throw new CliError(`unexpected argument "${positionals[1]}"`);
    return { command: positionals[0], flags: values as Flags };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message.split("\n")[0]);
  }
}

function parsePort(text: string | undefined, from: string): number {
  if (text === undefined || text === "") return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`${from} must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

function parseWorkers(text: string | undefined): number {
  if (text === undefined) return 1;
  if (text === "auto") return availableParallelism();
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new CliError(`--workers must be an integer from 1 to 256, or auto, got "${text}"`);
  return count;
}

function parseRuntime(text: string | undefined, host: RuntimeHost): RuntimeName {
  if (text === undefined) return host.name;
  if (!(RUNTIMES as readonly string[]).includes(text)) throw new CliError(`--runtime must be one of ${RUNTIMES.join(", ")}, got "${text}"`);
  return text as RuntimeName;
}

function describeHook(plugin: Record<string, unknown>): string {
  const hooks = HOOK_NAMES.filter((h) => plugin[h] !== undefined);
  return hooks.length > 0 ? hooks.join(", ") : "no hooks";
}

async function check(flags: Flags, host: RuntimeHost): Promise<void> {
  const { config, source } = await resolveConfig(flags.config, host);
  const gateway = await buildGateway(config, host);
  const lines = [`config: ${source}`, "providers:"];
  for (const [name, provider] of gateway.providers) lines.push(`  ${name}  (${provider.kind}, ${provider.format} format)`);
  lines.push("plugins (in run order):");
  for (const plugin of gateway.plugins) {
    lines.push(`  ${plugin.name}${plugin.enforce ? ` [enforce: ${plugin.enforce}]` : ""}: ${describeHook(plugin as unknown as Record<string, unknown>)}`);
  }
  lines.push("routes:");
  let routes = 0;
  for (const plugin of gateway.plugins) {
    const table = plugin.describe?.().routes as Record<string, { provider: string; model: string; weight?: number }[]> | undefined;
    if (table === undefined) continue;
    for (const [alias, targets] of Object.entries(table)) {
      routes++;
      lines.push(`  ${alias} -> ${targets.map((t) => `${t.provider}/${t.model}${t.weight !== undefined ? ` (weight ${t.weight})` : ""}`).join(", ")}`);
    }
  }
  if (routes === 0) lines.push("  (none; address models as <provider>/<model>)");
  lines.push("models:");
  for (const model of gateway.models()) lines.push(`  ${model.id}`);
  console.log(lines.join("\n"));
  await gateway.close({ timeoutMs: 0 });
}

/** Serve until a signal ends the process (null), or relay the exit code of the runtime it relaunched under. */
async function start(flags: Flags, host: RuntimeHost, argv: string[]): Promise<number | null> {
  const port = parsePort(flags.port ?? process.env.PORT, flags.port === undefined ? "PORT" : "--port");
  const address = flags.host ?? "127.0.0.1";
  const runtime = parseRuntime(flags.runtime, host);
  if (runtime !== host.name) {
    if (host.relaunch === undefined) throw new CliError(`--runtime ${runtime}: run the switchyard CLI with Node to switch runtimes (this is ${host.name})`);
    return host.relaunch(runtime, argv);
  }
  if (process.env[WORKER_ENV] !== undefined) return runWorker(host, { config: flags.config, port, host: address });
  const workers = parseWorkers(flags.workers);
  if (workers > 1) return runPrimary(host, workers, { watch: flags.watch === true });
  const served = await serveConfig(host, { config: flags.config, listen: { port, host: address } });
  let watcher: FileWatcher | null = null;
  const reload = (trigger: string): void => {
    void served.gateway.reload().then((result) => {
      reportReload(result, trigger);
      watcher?.update(served.inputs());
    });
  };
  // Before the startup line: whoever waits for it may signal at once.
  process.on("SIGHUP", () => reload("SIGHUP"));
  if (flags.watch) {
    if (served.inputs().length === 0) console.error("switchyard: --watch: no config file to watch (the embedded default is serving)");
    else watcher = watchFiles(served.inputs(), () => reload("file change"));
  }
  const notice = exposureNotice(served.gateway, served.source === EMBEDDED_SOURCE, address);
  if (notice !== null) console.error(notice);
  console.log(`switchyard ${VERSION} listening on ${served.server.url} (config: ${served.source}, runtime: ${host.name})`);
  console.log(describeGateway(served.gateway));
  return null;
}

/** The exit code, or null while `start` keeps serving. */
export async function main(argv: string[], host: RuntimeHost): Promise<number | null> {
  try {
    const { command, flags } = parse(argv);
    if (flags.version) {
      console.log(VERSION);
      return 0;
    }
    if (flags.help || command === undefined || command === "help") {
      console.log(HELP);
      return command === undefined && !flags.help ? 1 : 0;
    }
    if (command === "start") return await start(flags, host, argv);
    if (command === "check") await check(flags, host);
    else throw new CliError(`unknown command "${command}" (try: start, check, --help)`);
    return 0;
  } catch (error) {
    const message = error instanceof CliError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    console.error(`switchyard: ${message}`);
    // A worker's channel to its primary would keep it alive; letting go of it lets the exit code through.
    if (process.env[WORKER_ENV] !== undefined) {
      process.exitCode = 1;
      process.disconnect?.();
    }
    return 1;
  }
}
