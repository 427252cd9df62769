/**
 * Serve a gateway with `Deno.serve`. Only the few Deno APIs used here are declared, so the file
 * type-checks under `tsc` without Deno's whole type package.
 */
import type { Gateway } from "../core/gateway.ts";
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_TIMEOUT_MS, displayUrl, internalErrorResponse, type RunningServer, type ServeOptions } from "./serve-options.ts";
import { gracefulShutdown, reportError, type ShutdownSignal, shutdownOnSignals, withDeadline } from "./shutdown.ts";

export type { ListenOptions, RunningServer, ServeOptions } from "./serve-options.ts";

interface DenoHttpServer {
  readonly addr: { hostname: string; port: number };
  /** Stop accepting, close idle connections, resolve once in-flight responses have finished. */
  shutdown(): Promise<void>;
}

interface DenoServeOptions {
  port: number;
  hostname: string;
  onListen?: (addr: { hostname: string; port: number }) => void;
  onError?: (error: unknown) => Response | Promise<Response>;
}

interface DenoRuntime {
  serve(options: DenoServeOptions, handler: (request: Request) => Response | Promise<Response>): DenoHttpServer;
  addSignalListener(signal: ShutdownSignal, handler: () => void): void;
  exit(code: number): never;
}

function deno(): DenoRuntime {
  const runtime = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (runtime === undefined) throw new Error("switchyard/deno needs the Deno runtime");
  return runtime;
}

export interface DenoServer extends RunningServer {
  readonly server: DenoHttpServer;
}

/**
 * The upstream client for Deno: its built-in `fetch`, which keeps connections alive and pools
 * them per origin (bench/README.md compares it with undici through npm compatibility).
 */
export function denoUpstream(): UpstreamClient {
  return fetchUpstream();
}

/**
 * Serve a gateway on Deno. The incoming `Request` goes to `gateway.fetch` as is: Deno aborts its
 * signal when the client disconnects, which cancels the upstream call. On SIGTERM/SIGINT: stop
 * accepting, finish in-flight requests and streams within the deadline, close plugins, exit 0.
 */
export function serve(gateway: Gateway, options: ServeOptions = {}): Promise<DenoServer> {
  const runtime = deno();
  const host = options.host ?? DEFAULT_HOST;
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let server: DenoHttpServer;
    try {
      server = runtime.serve(
        {
          port: options.port ?? DEFAULT_PORT,
          hostname: host,
          onListen: ({ port }) => {
            // Past the deadline the process exits (signals) or the caller moves on; open streams are cut then.
            const shutdown = gracefulShutdown((ms) => withDeadline(server.shutdown(), ms), gateway, timeoutMs);
            if (options.handleSignals !== false) {
              // Handlers stay installed: a terminal's Ctrl-C reaches both a parent CLI and us, and the second must not cut the drain.
              shutdownOnSignals(shutdown, { on: (signal, handler) => runtime.addSignalListener(signal, handler), exit: (code) => runtime.exit(code) });
            }
            queueMicrotask(() => resolve({ url: displayUrl(host, port), port, host, server, shutdown }));
          },
          onError: (error) => {
            reportError(error);
            return internalErrorResponse();
          },
        },
        gateway.fetch,
      );
    } catch (error) {
      reject(error);
    }
  });
}
