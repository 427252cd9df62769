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

/** Wait for `work`, or at most `ms`; the timer is cleared either way so it never holds the process open. */
export function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => {}), expired]).finally(() => clearTimeout(timer));
}

export function reportError(error: unknown): void {
  console.error(`switchyard: ${error instanceof Error ? error.message : String(error)}`);
}
