/** Options every runtime adapter's `serve` takes. */
export interface ListenOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. Use 0.0.0.0 to accept connections from other machines. */
  host?: string;
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

/** The URL a client uses: wildcard hosts are shown as loopback, IPv6 in brackets. */
export function displayUrl(host: string, port: number): string {
  const shown = host.includes(":") ? (host === "::" ? "[::1]" : `[${host}]`) : host === "0.0.0.0" ? "127.0.0.1" : host;
  return `http://${shown}:${port}`;
}

/** What a server answers when the handler itself failed (the gateway answers its own errors). */
export function internalErrorResponse(): Response {
  return Response.json({ error: { message: "Internal gateway error.", type: "api_error", code: "internal_error", param: null } }, { status: 500 });
}
