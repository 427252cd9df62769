import { parseArgs } from "node:util";
import { createGateway, type Gateway } from "../core/gateway.ts";
import { VERSION } from "../core/version.ts";
import { nodeUpstream, serve } from "../runtimes/node.ts";
import { embeddedConfig } from "./default-config.ts";
import { CliError, CONFIG_NAMES, findConfig, loadConfig } from "./load-config.ts";
import type { GatewayConfig } from "../core/config.ts";

const HELP = `switchyard ${VERSION}: an LLM gateway

Usage:
  switchyard start [--config FILE] [--port N] [--host H]   serve the gateway
  switchyard check [--config FILE]                         validate a config and print what it builds
  switchyard --version | --help

Without --config, the first of ${CONFIG_NAMES.join(", ")} in the working directory is used;
with none, an embedded default serves the "mock" model (and OpenAI when OPENAI_API_KEY is set).
Default port 8787, host 127.0.0.1.`;

interface Flags {
  config?: string;
  port?: string;
  host?: string;
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

async function resolveConfig(flags: Flags): Promise<{ config: GatewayConfig; source: string }> {
  const path = findConfig(process.cwd(), flags.config);
  if (path === null) return { config: embeddedConfig(process.env), source: "embedded default (mock model)" };
  return { config: await loadConfig(path), source: path };
}

async function build(config: GatewayConfig): Promise<Gateway> {
  try {
    return await createGateway({ ...config, upstream: config.upstream ?? nodeUpstream() });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function describeHook(plugin: Record<string, unknown>): string {
  const hooks = ["onRequest", "route", "onAttempt", "onAttemptError", "onResponse", "onComplete", "filterModels"].filter((h) => plugin[h] !== undefined);
  return hooks.length > 0 ? hooks.join(", ") : "no hooks";
}

async function check(flags: Flags): Promise<void> {
  const { config, source } = await resolveConfig(flags);
  const gateway = await build(config);
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

async function start(flags: Flags): Promise<void> {
  const port = parsePort(flags.port);
  const host = flags.host ?? "127.0.0.1";
  const { config, source } = await resolveConfig(flags);
  const gateway = await build(config);
  try {
    const server = await serve(gateway, { port, host });
    console.log(`switchyard ${VERSION} listening on ${server.url} (config: ${source})`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE") throw new CliError(`port ${port} on ${host} is already in use`);
    if (code === "EACCES") throw new CliError(`no permission to listen on ${host}:${port}`);
    throw new CliError((error as Error).message);
  }
}

export async function main(argv: string[]): Promise<number> {
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
    if (command === "start") await start(flags);
    else if (command === "check") await check(flags);
    else throw new CliError(`unknown command "${command}" (try: start, check, --help)`);
    return 0;
  } catch (error) {
    const message = error instanceof CliError ? error.message : `unexpected error: ${(error as Error)?.message ?? String(error)}`;
    console.error(`switchyard: ${message}`);
    return 1;
  }
}
