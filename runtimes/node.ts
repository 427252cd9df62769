import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Gateway } from "../core/gateway.ts";
import { type FetchHandler, nodeHandler } from "./node-bridge.ts";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_TIMEOUT_MS, displayUrl, type ListenOptions, type RunningServer, type ServeOptions } from "./serve-options.ts";
import { gracefulShutdown, reportError, shutdownOnSignals } from "./shutdown.ts";

export { nodeUpstream, type NodeUpstreamOptions } from "./node-upstream.ts";
export type { FetchHandler } from "./node-bridge.ts";
export type { ListenOptions, RunningServer, ServeOptions } from "./serve-options.ts";

export interface Listener {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Requests whose response has not finished (streams included). */
  readonly active: number;
  /** Stop accepting, let in-flight responses finish up to the deadline, then cut the rest. */
  close(timeoutMs?: number): Promise<void>;
  readonly server: HttpServer;
}

export interface NodeServer extends Listener, RunningServer {}

/** Serve any fetch handler with node:http (the gateway, or a mock upstream in tests). */
export function listen(handler: FetchHandler, options: ListenOptions = {}): Promise<Listener> {
  const handle = nodeHandler(handler, reportError);
  let active = 0;
  let stopping = false;
  let idleWaiter: (() => void) | null = null;
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    active++;
    // While shutting down, every answer closes its connection so keep-alive clients move on.
    if (stopping) res.setHeader("connection", "close");
    res.once("close", () => {
      if (stopping) server.closeIdleConnections();
      if (--active === 0 && idleWaiter !== null) idleWaiter();
    });
    void handle(req, res);
  });
  const host = options.host ?? DEFAULT_HOST;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | null = null;
      resolve({
        url: displayUrl(host, port),
        port,
        host,
        server,
        get active() {
          return active;
        },
        close(timeoutMs = 10_000) {
          closing ??= new Promise<void>((done) => {
            stopping = true;
            const closed = new Promise<void>((r) => server.close(() => r()));
            server.closeIdleConnections();
            const drained = active === 0 ? Promise.resolve() : new Promise<void>((r) => (idleWaiter = r));
            const deadline = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
            void Promise.race([drained, deadline]).then(() => {
              server.closeAllConnections();
              return closed;
            }).then(done);
          });
          return closing;
        },
      });
    });
  });
}

/**
 * Serve a gateway on Node. On SIGTERM/SIGINT: stop accepting, finish in-flight requests and
 * streams within the deadline, close plugins (flushing their work), exit 0.
 */
export async function serve(gateway: Gateway, options: ServeOptions = {}): Promise<NodeServer> {
  const listener = await listen(gateway.fetch, options);
  const shutdown = gracefulShutdown((ms) => listener.close(ms), gateway, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals !== false) {
    shutdownOnSignals(shutdown, { on: (signal, handler) => process.on(signal, handler), off: (signal, handler) => process.off(signal, handler), exit: (code) => process.exit(code) });
  }
  return Object.assign(listener, { shutdown });
}
