import type { GatewayConfig } from "./config.ts";
import { createGateway, type Gateway, type GatewayOptions } from "./gateway.ts";
import type { ConfigStatus, ReloadResult, ServerControl } from "./server-control.ts";
import { VERSION } from "./version.ts";

export interface ReloadingGatewayOptions {
  /** Load and return the config (a reload calls it again). A throw refuses the reload. */
  load(): Promise<GatewayConfig>;
  /** How a config becomes a gateway. Default `createGateway`. */
  build?(config: GatewayConfig, options: GatewayOptions): Promise<Gateway>;
  /** Where the config comes from, for status and messages. */
  source?: string;
  /** The first config's version number. Default 1. */
  version?: number;
  /** Processes serving this config (for status). Default 1. */
  workers?: number;
  /**
   * What plugins see as `app.server`. Default: this gateway's own status and reload; a worker of
   * several passes one whose reload reaches every worker.
   */
  server?: ServerControl;
  /**
   * How long a replaced gateway may take to finish the requests it was serving (streams
   * included) before it closes and cuts the rest. Default 600 000 ms, the longest attempt.
   */
  retireTimeoutMs?: number;
}

/** A gateway whose config can be loaded again and swapped in while it serves. */
export interface ReloadingGateway extends Gateway {
  /** The gateway serving new requests now. */
  readonly current: Gateway;
  status(): ConfigStatus;
  /**
   * Load the config again, build a new gateway beside the serving one and swap it in: new
   * requests go to the new gateway, requests in flight finish on the old one, which then closes
   * (its plugins hand state and queued log records on). A config that fails to load or build is
   * refused and the old one keeps serving. Reloads run one at a time; calls made while one runs
   * share the next. `version` sets the new version number (workers take the primary's).
   */
  reload(options?: { version?: number }): Promise<ReloadResult>;
}

const DEFAULT_RETIRE_TIMEOUT_MS = 600_000;
/** What a retired gateway's plugins get to close after its requests drained. */
const RETIRE_CLOSE_MS = 10_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Serve a config that can be reloaded without a restart. Everything here is web-standard: the
 * CLI wires file watching, signals and workers around it on every runtime.
 */
export async function reloadingGateway(options: ReloadingGatewayOptions): Promise<ReloadingGateway> {
  const build = options.build ?? createGateway;
  const retireTimeoutMs = options.retireTimeoutMs ?? DEFAULT_RETIRE_TIMEOUT_MS;
  const source = options.source ?? "config";
  const workers = options.workers ?? 1;
  let version = options.version ?? 1;
  let loadedAt = new Date().toISOString();
  let reloads = 0;
  let failedReloads = 0;
  let lastReload: ReloadResult | null = null;
  let closing: Promise<void> | null = null;
  /** The reload running now, and the one waiting for it (shared by every call made meanwhile). */
  let running: Promise<ReloadResult> | null = null;
  let waiting: Promise<ReloadResult> | null = null;
  let waitingVersion: number | undefined;
  /** Replaced gateways still finishing their requests, each with the promise of its retirement. */
  const retiring = new Map<Gateway, Promise<void>>();

  const status = (): ConfigStatus => ({ version, source, loadedAt, reloads, failedReloads, lastReload, workers });
  const server: ServerControl = options.server ?? { status, reload: () => reload() };

  let current = await build(await options.load(), { server });

  function retire(old: Gateway): void {
    const done = old
      .drain(retireTimeoutMs)
      .then(() => old.close({ timeoutMs: RETIRE_CLOSE_MS }))
      .catch(() => {})
      .finally(() => retiring.delete(old));
    retiring.set(old, done);
  }

  async function reloadOnce(nextVersion: number | undefined): Promise<ReloadResult> {
    const started = performance.now();
    const finish = (ok: boolean, error?: string): ReloadResult => {
      const result: ReloadResult = { ok, version, at: new Date().toISOString(), durationMs: Math.round(performance.now() - started), ...(error === undefined ? {} : { error }) };
      if (ok) reloads++;
      else failedReloads++;
      lastReload = result;
      return result;
    };
    if (closing !== null) return finish(false, "the gateway is shutting down");
    let next: Gateway;
    try {
      next = await build(await options.load(), { previous: current, server });
    } catch (error) {
      return finish(false, message(error));
    }
    if (closing !== null) {
      await next.close({ timeoutMs: RETIRE_CLOSE_MS }).catch(() => {});
      return finish(false, "the gateway is shutting down");
    }
    const old = current;
    // The swap: one assignment, so every request sees either the old gateway or the new one.
    current = next;
    version = nextVersion ?? version + 1;
    loadedAt = new Date().toISOString();
    retire(old);
    return finish(true);
  }

  function reload(request: { version?: number } = {}): Promise<ReloadResult> {
    if (running === null) {
      running = reloadOnce(request.version).finally(() => {
        running = null;
      });
      return running;
    }
    // A change made while a reload runs may not be in it: load once more after it, for everyone who asked meanwhile.
    if (request.version !== undefined) waitingVersion = request.version;
    waiting ??= running.then(() => {
      waiting = null;
      const version = waitingVersion;
      waitingVersion = undefined;
      return reload({ version });
    });
    return waiting;
  }

  async function shutdown(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    if (running !== null) await running.catch(() => {});
    // Retired gateways first: their plugins hand what is left to the current gateway's.
    await Promise.all([...retiring.keys()].map((old) => old.close({ timeoutMs: Math.max(0, deadline - performance.now()) }).catch(() => {})));
    await current.close({ timeoutMs: Math.max(0, deadline - performance.now()) });
  }

  const gateway: ReloadingGateway = {
    version: VERSION,
    fetch: (request) => current.fetch(request),
    request: (path, init) => current.request(path, init),
    get plugins() {
      return current.plugins;
    },
    get providers() {
      return current.providers;
    },
    // Read when the server starts listening: a reload cannot change the limits of a server already up.
    get serverLimits() {
      return current.serverLimits;
    },
    models: () => current.models(),
    get inFlight() {
      let total = current.inFlight;
      for (const old of retiring.keys()) total += old.inFlight;
      return total;
    },
    get reportedErrors() {
      let total = current.reportedErrors;
      for (const old of retiring.keys()) total += old.reportedErrors;
      return total;
    },
    async drain(timeoutMs) {
      const results = await Promise.all([current, ...retiring.keys()].map((g) => g.drain(timeoutMs)));
      return results.every(Boolean);
    },
    close(closeOptions) {
      closing ??= shutdown(closeOptions?.timeoutMs ?? 10_000);
      return closing;
    },
    get current() {
      return current;
    },
    status,
    reload,
  };
  return gateway;
}
