import type { ServerLimits } from "../core/config.ts";

/** Options every runtime adapter's `serve` takes. */
export interface ListenOptions extends ServerLimits {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Use 0.0.0.0 to accept connections from other machines. */
  host?: string;
  /**
   * Bind with SO_REUSEPORT, so several processes serve one port and the kernel spreads the
   * connections over them (Linux; Deno, Bun, Node 22.12+). Default false.
   */
  reusePort?: boolean;
}

export interface ServeOptions extends ListenOptions {
  /** How long shutdown waits for in-flight requests and streams. Default 10 000 ms. */
  shutdownTimeoutMs?: number;
  /** Exit the process cleanly on SIGTERM/SIGINT. Default true. */
  handleSignals?: boolean;
}

/** What every adapter's `serve` resolves to. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Graceful shutdown: stop accepting, finish in-flight work, close plugins. Idempotent. */
  shutdown(): Promise<void>;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/** The server limits every runtime applies unless the config or `serve` options say otherwise. */
export const DEFAULT_SERVER_LIMITS: Readonly<Required<ServerLimits>> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  // Longer than the 60 s idle timeout of common load balancers, so the gateway is never the side
  // that closes a connection the balancer is about to reuse.
  keepAliveTimeoutMs: 65_000,
  maxHeaderBytes: 16_384,
  maxHeaders: 100,
});

/** A gateway's configured server limits under the `serve` options: an option given wins, field by field. */
export function withConfiguredLimits(configured: Readonly<ServerLimits>, options: ListenOptions): ListenOptions {
  const merged: ListenOptions = { ...options };
  for (const name of Object.keys(DEFAULT_SERVER_LIMITS) as (keyof ServerLimits)[]) merged[name] = options[name] ?? configured[name];
  return merged;
}

/** `options` over the defaults, field by field; a headers timeout never exceeds the request timeout. */
export function serverLimits(options: ServerLimits): Required<ServerLimits> {
  const limits = { ...DEFAULT_SERVER_LIMITS };
  for (const name of Object.keys(limits) as (keyof ServerLimits)[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!(Number.isInteger(value) && value > 0)) throw new TypeError(`serve: ${name} must be a positive integer, got ${String(value)}`);
    limits[name] = value;
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) limits.headersTimeoutMs = limits.requestTimeoutMs;
  return limits;
}

/** The URL a client uses: wildcard hosts are shown as loopback, IPv6 in brackets. */
export function displayUrl(host: string, port: number): string {
  const shown = host.includes(":") ? (host === "::" ? "[::1]" : `[${host}]`) : host === "0.0.0.0" ? "127.0.0.1" : host;
  return `http://${shown}:${port}`;
}
