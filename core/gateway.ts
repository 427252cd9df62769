import { Completions } from "./completions.ts";
import { ConfigError, type GatewayConfig, type ServerLimits, validateConfig } from "./config.ts";
import { type GatewayError, internalError } from "./errors.ts";
import { createHttpApp, type ExtraRoute, fetchWithChatFastPath, type NamedReadyCheck, reservedRouteReason } from "./http.ts";
import { Pipeline } from "./pipeline.ts";
import { buildPluginChain } from "./plugin-chain.ts";
import type { Plugin, SetupContext } from "./plugin.ts";
import type { ProviderAdapter } from "./provider.ts";
import type { ModelEntry } from "./types.ts";
import { fetchUpstream } from "./upstream.ts";
import { VERSION } from "./version.ts";

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_MAX_TIMEOUT_MS = 600_000;

export interface Gateway {
  readonly version: string;
  /** The web-standard entry every runtime adapter serves. */
  fetch(request: Request): Promise<Response>;
  /** Call the gateway in-process, as a client would over HTTP. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Plugins in the order they run, and what they registered. */
  readonly plugins: readonly Plugin[];
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  /** The config's `server` limits, which a runtime adapter's `serve` applies (its own options win). */
  readonly serverLimits: Readonly<ServerLimits>;
  /** Every model id the gateway serves (aliases and `provider/model`), before per-caller filtering. */
  models(): readonly ModelEntry[];
  /** Requests begun and not finished; streams count until they end. */
  readonly inFlight: number;
  /** onComplete failures and other reported errors since start. */
  readonly reportedErrors: number;
  /** Wait until nothing is in flight (true), or the deadline passes (false). */
  drain(timeoutMs: number): Promise<boolean>;
  /** Mark not-ready, wait for in-flight work up to the deadline, then close plugins and providers. Idempotent. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

function defaultReporter(error: GatewayError): void {
  const where = error.plugin !== undefined ? ` [plugin "${error.plugin}" ${error.hook}]` : "";
  console.error(`switchyard: ${error.message}${where}`);
}

/**
 * Build a gateway from a config: validate it, run plugin setup, compile the hook chain once.
 * Throws `ConfigError` or `PluginChainError` with a message that says what to fix.
 */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  validateConfig(config);
  const plugins = config.plugins ?? [];
  const chain = buildPluginChain(plugins, VERSION);
  const providers = new Map(Object.entries(config.providers));
  const reporter = config.onError ?? defaultReporter;
  const completions = new Completions(chain.onComplete, reporter);

  const catalog = new Map<string, ModelEntry>();
  for (const [name, provider] of providers) {
    for (const model of provider.models ?? []) {
      const id = `${name}/${model}`;
      catalog.set(id, { id, owned_by: name });
    }
  }
  // Filled once every plugin's setup has run; plugins read it per request through `setup.models()`.
  let models: readonly ModelEntry[] = [];
  const routes: ExtraRoute[] = [];
  const readyChecks: NamedReadyCheck[] = [];
  let settingUp = "";
  const setup: SetupContext = {
    version: VERSION,
    providers,
    plugins: chain.plugins,
    addModel(id, ownedBy = "switchyard") {
      if (!catalog.has(id)) catalog.set(id, { id, owned_by: ownedBy });
    },
    models: () => models,
    get inFlight() {
      return completions.inFlight;
    },
    report: (error, where) => completions.report(toReported(error, where)),
    addRoute(method, path, handler) {
      if (method !== "GET" && method !== "POST") throw new Error(`route method must be "GET" or "POST", got "${String(method)}"`);
      if (typeof handler !== "function") throw new Error(`route ${method} "${path}" needs a handler function`);
      const reason = reservedRouteReason(method, path, routes);
      if (reason !== null) throw new Error(reason);
      routes.push({ method, path, handler, plugin: settingUp });
    },
    addReadyCheck(name, check) {
      if (typeof check !== "function") throw new Error(`ready check "${name}" must be a function`);
      readyChecks.push({ name, check });
    },
  };
  for (const plugin of chain.plugins) {
    if (plugin.setup === undefined) continue;
    settingUp = plugin.name;
    try {
      await plugin.setup(setup);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ConfigError(`Plugin "${plugin.name}" failed in setup: ${message}`);
    }
  }
  // Aliases first, then `provider/model` ids, each in registration order.
  models = Object.freeze([...catalog.values()].sort((a, b) => Number(a.id.includes("/")) - Number(b.id.includes("/"))));

  const upstream = config.upstream ?? fetchUpstream();
  const createdAt = Date.now();
  let ready = true;
  let closing: Promise<void> | null = null;
  const pipeline = new Pipeline({
    chain,
    providers,
    upstream,
    maxBodyBytes: config.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxAttempts: config.limits?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    maxTimeoutMs: config.limits?.maxTimeoutMs ?? DEFAULT_MAX_TIMEOUT_MS,
    completions,
    models: () => models,
    createdAt,
  });
  const app = createHttpApp({ pipeline, isReady: () => ready, routes, readyChecks });
  const appFetch = fetchWithChatFastPath(app, pipeline);

  async function shutdown(timeoutMs: number): Promise<void> {
    ready = false;
    const deadline = performance.now() + timeoutMs;
    await completions.drain(timeoutMs);
    for (const plugin of [...chain.plugins].reverse()) {
      try {
        // Plugins that flush work (a log queue) get what is left of the deadline.
        await plugin.close?.({ timeoutMs: Math.max(0, deadline - performance.now()) });
      } catch (error) {
        completions.report(toReported(error, `plugin "${plugin.name}" close`));
      }
    }
    for (const provider of providers.values()) await provider.close?.().catch(() => {});
    await upstream.close?.().catch(() => {});
  }

  const gateway: Gateway = {
    version: VERSION,
    fetch: (request) => asPromise(appFetch(request)),
    request: (path, init) => asPromise(appFetch(new Request(new URL(path, "http://gateway.local"), init))),
    plugins: chain.plugins,
    providers,
    serverLimits: Object.freeze({ ...config.server }),
    models: () => models,
    get inFlight() {
      return completions.inFlight;
    },
    get reportedErrors() {
      return completions.errors;
    },
    drain: (timeoutMs) => completions.drain(timeoutMs),
    close(options) {
      closing ??= shutdown(options?.timeoutMs ?? 10_000);
      return closing;
    },
  };
  return Object.freeze(gateway);
}

function toReported(error: unknown, where: string): GatewayError {
  const message = error instanceof Error ? error.message : String(error);
  return internalError(`${where}: ${message}`, error);
}

function asPromise(result: Response | Promise<Response>): Promise<Response> {
  return result instanceof Promise ? result : Promise.resolve(result);
}
