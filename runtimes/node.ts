import type { Gateway } from "../core/gateway.ts";
import { listen, type Listener } from "./http-server.ts";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type RunningServer, type ServeOptions, withConfiguredLimits } from "./serve-options.ts";
import { gracefulShutdown, shutdownOnSignals } from "./shutdown.ts";

export { nodeUpstream, type NodeUpstreamOptions } from "./node-upstream.ts";
export type { FetchHandler } from "./node-bridge.ts";
export { listen, type Listener } from "./http-server.ts";
export { afterResponse } from "./after-response.ts";
export { DEFAULT_SERVER_LIMITS } from "./serve-options.ts";
export type { ListenOptions, RunningServer, ServeOptions } from "./serve-options.ts";

export interface NodeServer extends Listener, RunningServer {}

/**
 * Serve a gateway on Node. On SIGTERM/SIGINT: stop accepting, finish in-flight requests and
 * streams within the deadline, close plugins (flushing their work), exit 0.
 */
export async function serve(gateway: Gateway, options: ServeOptions = {}): Promise<NodeServer> {
  const listener = await listen(gateway.fetch, withConfiguredLimits(gateway.serverLimits, options));
  const shutdown = gracefulShutdown((ms) => listener.close(ms), gateway, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals !== false) {
    shutdownOnSignals(shutdown, { on: (signal, handler) => process.on(signal, handler), off: (signal, handler) => process.off(signal, handler), exit: (code) => process.exit(code) });
  }
  return Object.assign(listener, { shutdown });
}
