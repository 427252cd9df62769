import type { Gateway } from "../core/gateway.ts";

/**
 * The one shutdown order every runtime follows: stop the server (it stops accepting and lets
 * in-flight responses finish, up to the deadline), then close the gateway with what is left of
 * the deadline (plugins flush their work). The returned function is idempotent.
 */
export function gracefulShutdown(stopServer: (timeoutMs: number) => Promise<void>, gateway: Gateway, timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      const started = Date.now();
      await stopServer(timeoutMs);
      await gateway.close({ timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)) });
    })();
    return stopping;
  };
}

export function reportError(error: unknown): void {
  console.error(`switchyard: ${error instanceof Error ? error.message : String(error)}`);
}

export type ShutdownSignal = "SIGTERM" | "SIGINT";

export interface SignalHooks {
  on(signal: ShutdownSignal, handler: () => void): void;
  /** Given: the first signal removes the handlers, so a second one ends the process at once. */
  off?(signal: ShutdownSignal, handler: () => void): void;
  exit(code: number): void;
}

/** On SIGTERM/SIGINT: shut down gracefully, then exit 0 (1 if shutting down failed). */
export function shutdownOnSignals(shutdown: () => Promise<void>, hooks: SignalHooks): void {
  const onSignal = (): void => {
    hooks.off?.("SIGTERM", onSignal);
    hooks.off?.("SIGINT", onSignal);
    shutdown().then(
      () => hooks.exit(0),
      (error) => {
        reportError(error);
        hooks.exit(1);
      },
    );
  };
  hooks.on("SIGTERM", onSignal);
  hooks.on("SIGINT", onSignal);
}
