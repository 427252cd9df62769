/**
 * Serve a gateway on Bun, with Bun's `node:http` (the same server, bridge and limits as on Node).
 * `Bun.serve` closes a connection, answering nothing, when a request is pipelined behind one its
 * handler has not answered yet, which an asynchronous gateway always is; Bun's `node:http`
 * answers them in order.
 */
import type { Gateway } from "../core/gateway.ts";
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";
import { listen, type Listener } from "./http-server.ts";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type RunningServer, type ServeOptions, withConfiguredLimits } from "./serve-options.ts";
import { gracefulShutdown, shutdownOnSignals } from "./shutdown.ts";

export { afterResponse } from "./after-response.ts";
export { DEFAULT_SERVER_LIMITS } from "./serve-options.ts";
export type { ListenOptions, RunningServer, ServeOptions } from "./serve-options.ts";

export interface BunServeOptionsForGateway extends ServeOptions {
  /**
   * @deprecated Use `keepAliveTimeoutMs`. Seconds a connection may sit idle between requests; a
   * response in progress (a quiet stream included) is never cut by it.
   */
  idleTimeoutSeconds?: number;
}

export interface BunServer extends Listener, RunningServer {}

/**
 * The upstream client for Bun: its built-in `fetch`, which keeps connections alive and pools them
 * per origin (bench/README.md compares it with undici).
 */
export function bunUpstream(): UpstreamClient {
  return fetchUpstream();
}

/**
 * Serve a gateway on Bun. A client that disconnects aborts the request's signal, which cancels the
 * upstream call. On SIGTERM/SIGINT: stop accepting, finish in-flight requests and streams within
 * the deadline, close plugins, exit 0.
 */
export async function serve(gateway: Gateway, options: BunServeOptionsForGateway = {}): Promise<BunServer> {
  const { idleTimeoutSeconds, ...rest } = options;
  const keepAliveTimeoutMs = rest.keepAliveTimeoutMs ?? (idleTimeoutSeconds === undefined ? undefined : idleTimeoutSeconds * 1000);
  const listener = await listen(gateway.fetch, withConfiguredLimits(gateway.serverLimits, { ...rest, keepAliveTimeoutMs }));
  const shutdown = gracefulShutdown((ms) => listener.close(ms), gateway, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals !== false) {
    // Handlers stay installed: a terminal's Ctrl-C reaches both a parent CLI and us, and the second must not cut the drain.
    shutdownOnSignals(shutdown, { on: (signal, handler) => process.on(signal, handler), exit: (code) => process.exit(code) });
  }
  return Object.assign(listener, { shutdown });
}
