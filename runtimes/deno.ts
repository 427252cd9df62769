/**
 * Serve a gateway on Deno, with Deno's `node:http` (the same server, bridge and limits as on Node:
 * `Deno.serve` has no headers, body or idle timeouts). Only the few Deno APIs used here are
 * declared, so the file type-checks under `tsc` without Deno's whole type package.
 */
import type { Gateway } from "../core/gateway.ts";
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";
import { listen, type Listener } from "./http-server.ts";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, type RunningServer, type ServeOptions, withConfiguredLimits } from "./serve-options.ts";
import { gracefulShutdown, type ShutdownSignal, shutdownOnSignals } from "./shutdown.ts";

export { afterResponse } from "./after-response.ts";
export { DEFAULT_SERVER_LIMITS } from "./serve-options.ts";
export type { ListenOptions, RunningServer, ServeOptions } from "./serve-options.ts";

interface DenoRuntime {
  addSignalListener(signal: ShutdownSignal, handler: () => void): void;
  exit(code: number): never;
}

function deno(): DenoRuntime {
  const runtime = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (runtime === undefined) throw new Error("switchyard/deno needs the Deno runtime");
  return runtime;
}

export interface DenoServer extends Listener, RunningServer {}

/**
 * The upstream client for Deno: its built-in `fetch`, which keeps connections alive and pools
 * them per origin (bench/README.md compares it with undici through npm compatibility).
 */
export function denoUpstream(): UpstreamClient {
  return fetchUpstream();
}

/**
 * Serve a gateway on Deno. A client that disconnects aborts the request's signal, which cancels
 * the upstream call. On SIGTERM/SIGINT: stop accepting, finish in-flight requests and streams
 * within the deadline, close plugins, exit 0.
 */
export async function serve(gateway: Gateway, options: ServeOptions = {}): Promise<DenoServer> {
  const runtime = deno();
  const listener = await listen(gateway.fetch, withConfiguredLimits(gateway.serverLimits, options));
  const shutdown = gracefulShutdown((ms) => listener.close(ms), gateway, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
  if (options.handleSignals !== false) {
    // Handlers stay installed: a terminal's Ctrl-C reaches both a parent CLI and us, and the second must not cut the drain.
    shutdownOnSignals(shutdown, { on: (signal, handler) => runtime.addSignalListener(signal, handler), exit: (code) => runtime.exit(code) });
  }
  return Object.assign(listener, { shutdown });
}
