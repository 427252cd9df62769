import { GatewayError } from "../core/errors.ts";
import type { SetupContext } from "../core/plugin.ts";

/** What a limiter does when its store cannot answer, and how often that happened. */
export interface StorePolicyStats {
  /** Store operations that failed (checks and the accounting after a response). */
  storeErrors: number;
  /** Requests let through because a check could not be made (`failOpen: true`). */
  failedOpen: number;
  /** Requests refused with 503 because a check could not be made (`failOpen: false`). */
  failedClosed: number;
}

export function newStorePolicyStats(): StorePolicyStats {
  return { storeErrors: 0, failedOpen: 0, failedClosed: 0 };
}

/**
 * The answer when a limit cannot be checked and the plugin fails closed. It is the configured
 * policy refusing the request (fault `policy`), not a crash: the outage itself is logged once by
 * the store, not once per request.
 */
export function limitsUnavailable(what: string): GatewayError {
  return new GatewayError({
    status: 503,
    type: "service_unavailable_error",
    message: `${what} cannot be checked right now because the limit store is unreachable; the request was not sent. Try again shortly.`,
    code: "limits_unavailable",
    fault: "policy",
    retryable: true,
    retryAfterMs: 1000,
    headers: { "retry-after": "1" },
  });
}

/** What `required: true` registers: `/ready` fails while the plugin's store is unreachable. */
export function requireStore(app: SetupContext, plugin: string, store: { available?(): boolean }): void {
  app.addReadyCheck(`${plugin} store`, () => store.available?.() ?? true);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}
