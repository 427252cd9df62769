import { type AfterResponse, Completions } from "./completions.ts";
import { ConfigError, type GatewayConfig, type ServerLimits, validateConfig } from "./config.ts";
import { type GatewayError, internalError } from "./errors.ts";
import { createHttpApp, type ExtraRoute, fetchWithChatFastPath, type NamedReadyCheck, reservedRouteReason } from "./http.ts";
import { DEFAULT_MAX_JSON_DEPTH } from "./body.ts";
import { BUILT_IN_DIALECTS, BUILT_IN_SURFACES, CHAT_SURFACE } from "./surfaces.ts";
import { Pipeline } from "./pipeline.ts";
import { buildPluginChain } from "./plugin-chain.ts";
import type { Plugin, RouteMethod, SetupContext } from "./plugin.ts";
import type { ProviderAdapter } from "./provider.ts";
import type { ServerControl } from "./server-control.ts";
import type { ModelEntry } from "./types.ts";
import { fetchUpstream } from "./upstream.ts";
import { VERSION } from "./version.ts";

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_ATTEMPTS = 10;
const DEFAULT_MAX_TIMEOUT_MS = 600_000;
const ROUTE_METHODS: readonly RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
/** How long plugins of a gateway that failed to build get to let go of what they opened. */
const FAILED_BUILD_CLOSE_MS = 2_000;

/** How a gateway is built, besides its config. */
export interface GatewayOptions {
  /**
   * The gateway this one replaces (a reload): each plugin's setup sees its namesake there as
   * `app.previous`, to carry state over.
   */
  previous?: Gateway;
  /** The server running the gateway, as plugins see it (`app.server`). */
  server?: ServerControl;
  /**
   * How `onComplete` batches are scheduled after responses go out. Default: a zero timer (web
   * standard). The CLI passes `setImmediate`, which Node, Deno and Bun all have.
   */
  afterResponse?: AfterResponse;
}

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
 * Throws `ConfigError` or `PluginChainError` with a message that says what to fix; when a
 * plugin's setup fails, every plugin is closed first.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  validateConfig(config);
  // Built-in dialects, and those providers bring for formats of their own.
  const dialects = new Map(BUILT_IN_DIALECTS);
  for (const [name, provider] of Object.entries(config.providers)) {
    const own = provider.dialect;
    if (own !== undefined && own.id === provider.format && !BUILT_IN_DIALECTS.has(own.id)) dialects.set(own.id, own);
    else if (!BUILT_IN_DIALECTS.has(provider.format)) {
      throw new ConfigError(`Invalid config at "providers.${name}.format": no dialect speaks "${provider.format}" (known: ${[...BUILT_IN_DIALECTS.keys()].join(", ")}; a provider may bring its own as \`dialect\`)`);
    }
  }
  const plugins = config.plugins ?? [];
  const chain = buildPluginChain(plugins, VERSION);
  const providers = new Map(Object.entries(config.providers));
  const reporter = config.onError ?? defaultReporter;
  const completions = new Completions(chain.onComplete, reporter, options.afterResponse);

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
      if (!ROUTE_METHODS.includes(method)) throw new Error(`route method must be one of ${ROUTE_METHODS.join(", ")}, got "${String(method)}"`);
      if (typeof handler !== "function") throw new Error(`route ${method} "${path}" needs a handler function`);
      if (typeof path === "string" && path.includes("*") && !/^\/[^*]+\/\*$/.test(path)) throw new Error(`route path "${path}": a wildcard must follow a prefix, as in "/admin/*"`);
      const reason = reservedRouteReason(method, path, routes);
      if (reason !== null) throw new Error(reason);
      routes.push({ method, path, handler, plugin: settingUp });
    },
    addReadyCheck(name, check) {
      if (typeof check !== "function") throw new Error(`ready check "${name}" must be a function`);
      readyChecks.push({ name, check });
    },
    previous: undefined,
    server: options.server,
  };
  const predecessors = new Map<string, Plugin>();
  for (const plugin of options.previous?.plugins ?? []) predecessors.set(plugin.name, plugin);
  for (const plugin of chain.plugins) {
    if (plugin.setup === undefined) continue;
    settingUp = plugin.name;
    // Each plugin sees its own predecessor; everything else is the shared context.
    const context: SetupContext = Object.create(setup, { previous: { value: predecessors.get(plugin.name), enumerable: true } });
    try {
      await plugin.setup(context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await closeAfterFailedBuild(chain.plugins, providers);
      throw new ConfigError(`Plugin "${plugin.name}" failed in setup: ${message}`, { cause: error });
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
    dialects,
    upstream,
    maxBodyBytes: config.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxJsonDepth: config.limits?.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
    maxAttempts: config.limits?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    maxTimeoutMs: config.limits?.maxTimeoutMs ?? DEFAULT_MAX_TIMEOUT_MS,
    completions,
    models: () => models,
    createdAt,
  });
  const surfaces = BUILT_IN_SURFACES;
  const app = createHttpApp({ pipeline, surfaces, isReady: () => ready, routes, readyChecks });
  const appFetch = fetchWithChatFastPath(app, pipeline, CHAT_SURFACE, surfaces);

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

/** Let go of what the plugins of a gateway that will never serve opened (connections, timers). */
async function closeAfterFailedBuild(plugins: readonly Plugin[], providers: ReadonlyMap<string, ProviderAdapter>): Promise<void> {
  for (const plugin of [...plugins].reverse()) {
    try {
      await plugin.close?.({ timeoutMs: FAILED_BUILD_CLOSE_MS });
    } catch {
      // The build failed already; its reason is the one worth reporting.
    }
  }
  for (const provider of providers.values()) await provider.close?.().catch(() => {});
}

function toReported(error: unknown, where: string): GatewayError {
  const message = error instanceof Error ? error.message : String(error);
  return internalError(`${where}: ${message}`, error);
}

function asPromise(result: Response | Promise<Response>): Promise<Response> {
  return result instanceof Promise ? result : Promise.resolve(result);
}
