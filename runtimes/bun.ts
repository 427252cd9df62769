/**
 * Serve a gateway with `Bun.serve`. Only the few Bun APIs used here are declared, so the file
 * type-checks under `tsc` without Bun's whole type package.
 */
import type { Gateway } from "../core/gateway.ts";
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_SHUTDOWN_TIMEOUT_MS, displayUrl, internalErrorResponse, type RunningServer, type ServeOptions } from "./serve-options.ts";
import { gracefulShutdown, reportError, shutdownOnSignals, withDeadline } from "./shutdown.ts";

export type { ListenOptions, RunningServer } from "./serve-options.ts";

/** Bun's ceiling for `idleTimeout`, in seconds. */
const MAX_IDLE_TIMEOUT_S = 255;

interface BunHttpServer {
  readonly port: number;
  readonly hostname: string;
  /** `false`: stop accepting and let active connections finish; `true`: cut them too. */
  stop(closeActiveConnections?: boolean): Promise<void>;
  /** Per-request idle timeout in seconds; 0 disables it. */
  timeout(request: Request, seconds: number): void;
}

interface BunServeOptions {
  port: number;
  hostname: string;
  idleTimeout: number;
  fetch(request: Request, server: BunHttpServer): Response | Promise<Response>;
  error(error: Error): Response;
}

interface BunRuntime {
  serve(options: BunServeOptions): BunHttpServer;
}

function bun(): BunRuntime {
  const runtime = (globalThis as { Bun?: BunRuntime }).Bun;
  if (runtime === undefined) throw new Error("switchyard/bun needs the Bun runtime");
  return runtime;
}

export interface BunServeOptionsForGateway extends ServeOptions {
  /**
   * Seconds a connection may sit idle (Bun's default is 10, which cuts quiet streams and slow
   * upstreams). Default and maximum 255. Event streams are exempt from it whatever the value.
   */
  idleTimeoutSeconds?: number;
}

export interface BunServer extends RunningServer {
  readonly server: BunHttpServer;
}

/**
 * The upstream client for Bun: its built-in `fetch`, which keeps connections alive and pools them
 * per origin (bench/README.md compares it with undici).
 */
export function bunUpstream(): UpstreamClient {
  return fetchUpstream();
}

function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.startsWith("text/event-stream") === true;
}

/**
 * Serve a gateway on Bun. The incoming `Request` goes to `gateway.fetch` as is: Bun aborts its
 * signal when the client disconnects, which cancels the upstream call. On SIGTERM/SIGINT: stop
 * accepting, finish in-flight requests and streams within the deadline, close plugins, exit 0.
 */
export async function serve(gateway: Gateway, options: BunServeOptionsForGateway = {}): Promise<BunServer> {
  const host = options.host ?? DEFAULT_HOST;
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const server = bun().serve({
    port: options.port ?? DEFAULT_PORT,
    hostname: host,
    idleTimeout: Math.min(options.idleTimeoutSeconds ?? MAX_IDLE_TIMEOUT_S, MAX_IDLE_TIMEOUT_S),
    fetch(request, self) {
      return gateway.fetch(request).then((response) => {
        // A stream may be quiet for minutes (a model thinking); only its own end closes it.
        if (isEventStream(response)) self.timeout(request, 0);
        return response;
      });
    },
    error(error) {
      reportError(error);
      return internalErrorResponse();
    },
  });
  const stopServer = async (ms: number): Promise<void> => {
    await withDeadline(server.stop(false), ms);
    await server.stop(true);
  };
  const shutdown = gracefulShutdown(stopServer, gateway, timeoutMs);
  if (options.handleSignals !== false) {
    // Handlers stay installed: a terminal's Ctrl-C reaches both a parent CLI and us, and the second must not cut the drain.
    shutdownOnSignals(shutdown, { on: (signal, handler) => process.on(signal, handler), exit: (code) => process.exit(code) });
  }
  return { url: displayUrl(host, server.port), port: server.port, host, server, shutdown };
}
