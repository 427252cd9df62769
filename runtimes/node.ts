import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Gateway } from "../core/gateway.ts";
import { type FetchHandler, nodeHandler } from "./node-bridge.ts";

export { nodeUpstream, type NodeUpstreamOptions } from "./node-upstream.ts";
export type { FetchHandler } from "./node-bridge.ts";

export interface ListenOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Use 0.0.0.0 to accept connections from other machines. */
  host?: string;
}

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

export interface ServeOptions extends ListenOptions {
  /** How long shutdown waits for in-flight requests and streams. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /** Exit the process cleanly on SIGTERM/SIGINT. Default true. */
  handleSignals?: boolean;
}

export interface NodeServer extends Listener {
  /** Graceful shutdown: stop accepting, finish in-flight work, close plugins. Idempotent. */
  shutdown(): Promise<void>;
}

function report(error: unknown): void {
  console.error(`switchyard: ${error instanceof Error ? error.message : String(error)}`);
}

/** Serve any fetch handler with node:http (the gateway, or a mock upstream in tests). */
export function listen(handler: FetchHandler, options: ListenOptions = {}): Promise<Listener> {
  const handle = nodeHandler(handler, report);
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
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8787, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
      let closing: Promise<void> | null = null;
      resolve({
        url: `http://${shownHost}:${port}`,
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
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  let stopping: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      const started = Date.now();
      await listener.close(timeoutMs);
      await gateway.close({ timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)) });
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    const onSignal = (): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      shutdown().then(
        () => process.exit(0),
        (error) => {
          report(error);
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  return Object.assign(listener, { shutdown });
}
