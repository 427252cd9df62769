import { parseArgs } from "node:util";
import { createGateway, type Gateway } from "../core/gateway.ts";
import { VERSION } from "../core/version.ts";
import { embeddedConfig } from "./default-config.ts";
import { RUNTIMES, type RuntimeHost, type RuntimeName } from "./host.ts";
import { CliError, CONFIG_NAMES, findConfig } from "./load-config.ts";
import type { GatewayConfig } from "../core/config.ts";
import type { RunningServer } from "../runtimes/serve-options.ts";

const HELP = `switchyard ${VERSION}: an LLM gateway

Usage:
  switchyard start [--config FILE] [--port N] [--host H] [--runtime node|deno|bun]   serve the gateway
  switchyard check [--config FILE]                                                   validate a config and print what it builds
  switchyard --version | --help

Without --config, the first of ${CONFIG_NAMES.join(", ")} in the working directory is used;
with none, an embedded default serves the "mock" model (and OpenAI when OPENAI_API_KEY is set).
Default port 8787, host 127.0.0.1. --runtime serves under Deno or Bun (the binaries installed
with switchyard, or on PATH); the default is the runtime running this command.`;

interface Flags {
  config?: string;
  port?: string;
  host?: string;
  runtime?: string;
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

function parsePort(text: string | undefined): number {
  if (text === undefined) return 8787;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

function parseRuntime(text: string | undefined, host: RuntimeHost): RuntimeName {
  if (text === undefined) return host.name;
  if (!(RUNTIMES as readonly string[]).includes(text)) throw new CliError(`--runtime must be one of ${RUNTIMES.join(", ")}, got "${text}"`);
  return text as RuntimeName;
}

async function resolveConfig(flags: Flags, host: RuntimeHost): Promise<{ config: GatewayConfig; source: string }> {
  const path = findConfig(process.cwd(), flags.config);
  if (path === null) return { config: embeddedConfig(process.env), source: "embedded default (mock model)" };
  return { config: await host.loadConfig(path), source: path };
}

async function build(config: GatewayConfig, host: RuntimeHost): Promise<Gateway> {
  try {
    return await createGateway({ ...config, upstream: config.upstream ?? host.upstream() });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function describeHook(plugin: Record<string, unknown>): string {
  const hooks = ["onRequest", "route", "onAttempt", "onAttemptError", "onResponse", "onComplete", "filterModels"].filter((h) => plugin[h] !== undefined);
  return hooks.length > 0 ? hooks.join(", ") : "no hooks";
}

async function check(flags: Flags, host: RuntimeHost): Promise<void> {
  const { config, source } = await resolveConfig(flags, host);
  const gateway = await build(config, host);
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

/** Listen errors differ by runtime: Node and Bun set `code`, Deno names the error class. */
function listenFailure(error: unknown, host: string, port: number): CliError {
  const { code, name } = (error ?? {}) as { code?: string; name?: string };
  if (code === "EADDRINUSE" || name === "AddrInUse") return new CliError(`port ${port} on ${host} is already in use`);
  if (code === "EACCES" || name === "PermissionDenied") return new CliError(`no permission to listen on ${host}:${port}`);
  return new CliError((error as Error).message);
}

/** Serve until a signal ends the process (null), or relay the exit code of the runtime it relaunched under. */
async function start(flags: Flags, host: RuntimeHost, argv: string[]): Promise<number | null> {
  const port = parsePort(flags.port);
  const address = flags.host ?? "127.0.0.1";
  const runtime = parseRuntime(flags.runtime, host);
  if (runtime !== host.name) {
    if (host.relaunch === undefined) throw new CliError(`--runtime ${runtime}: run the switchyard CLI with Node to switch runtimes (this is ${host.name})`);
    return host.relaunch(runtime, argv);
  }
  const { config, source } = await resolveConfig(flags, host);
  const gateway = await build(config, host);
  let server: RunningServer;
  try {
    server = await host.serve(gateway, { port, host: address });
  } catch (error) {
    throw listenFailure(error, address, port);
  }
  console.log(`switchyard ${VERSION} listening on ${server.url} (config: ${source}, runtime: ${host.name})`);
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
    return 1;
  }
}
