import type { RequestContext } from "../../core/context.ts";
import { hasCode } from "../../core/error-codes.ts";
import type { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { Attempt, AttemptDecision } from "../../core/types.ts";

/** A status code, a class of codes, or a kind of failure that has no status of its own. */
export type FallbackTrigger = number | "5xx" | "timeout" | "network";

export interface BackoffOptions {
  /** The first retry waits up to this long; each next one doubles it. Default 200 ms. */
  baseMs?: number;
  /** No backoff wait is longer. Default 5 000 ms. */
  maxMs?: number;
  /**
   * The longest `Retry-After` honoured on the same target. A longer one moves to the next
   * target at once instead of waiting. Default 10 000 ms.
   */
  retryAfterMaxMs?: number;
}

export interface FallbackOptions {
  /** Retries on the same target before moving on. Default 1. */
  retries?: number;
  /**
   * Failures that trigger a retry or the next target. Default `[408, 409, 429, "5xx", "timeout",
   * "network"]`. A failure the request caused (400, 404, 422 …) never does, whatever is listed.
   */
  on?: readonly FallbackTrigger[];
  backoff?: BackoffOptions;
  /** Most upstream attempts per request, retries and fallbacks together. Default 5. */
  budget?: number;
  /** The random source of the jitter (default `Math.random`); tests pass their own. */
  random?: () => number;
}

const DEFAULT_TRIGGERS: readonly FallbackTrigger[] = [408, 409, 429, "5xx", "timeout", "network"];

interface Triggers {
  readonly statuses: ReadonlySet<number>;
  readonly anyServerError: boolean;
  readonly timeout: boolean;
  readonly network: boolean;
}

function compileTriggers(on: readonly FallbackTrigger[]): Triggers {
  if (!Array.isArray(on)) throw new TypeError("fallback: on must be an array");
  const statuses = new Set<number>();
  let anyServerError = false;
  let timeout = false;
  let network = false;
  for (const trigger of on) {
    if (trigger === "5xx") anyServerError = true;
    else if (trigger === "timeout") timeout = true;
    else if (trigger === "network") network = true;
    else if (typeof trigger === "number" && Number.isInteger(trigger) && trigger >= 400 && trigger <= 599) statuses.add(trigger);
    else throw new TypeError(`fallback: on has ${JSON.stringify(trigger)}; use a status 400–599, "5xx", "timeout" or "network"`);
  }
  return { statuses, anyServerError, timeout, network };
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new TypeError(`fallback: ${name} must be a number >= 0`);
  return v;
}

/** Does this failure trigger fallback? Timeouts and network errors are judged by kind, not status. */
function triggered(error: GatewayError, triggers: Triggers): boolean {
  // Only the upstream's failures, and the gateway's rejected provider credentials (another
  // target has its own); never the request's own fault or a plugin's.
  if (error.fault !== "provider" && !hasCode(error, "upstream_auth_failed")) return false;
  if (hasCode(error, "upstream_timeout")) return triggers.timeout;
  if (hasCode(error, "upstream_unreachable")) return triggers.network;
  if (triggers.statuses.has(error.status)) return true;
  return triggers.anyServerError && error.status >= 500 && error.status <= 599;
}

/** Attempts that reached an upstream, and how many of the last ones went to this attempt's target. */
function tally(ctx: RequestContext, attempt: Attempt): { made: number; onTarget: number } {
  let made = 0;
  let onTarget = 0;
  for (const a of ctx.attempts) {
    if (a.outcome === "skipped") continue;
    made++;
    onTarget = a.target === attempt.target ? onTarget + 1 : 0;
  }
  return { made, onTarget };
}

/**
 * Retries and fallback, decided in `onAttemptError` (so only before the first byte reached the
 * client): a triggering failure is retried on the same target with exponential backoff and full
 * jitter (or the upstream's `Retry-After`, up to a cap), then the plan moves to its next target,
 * across providers. The budget bounds the attempts of one request.
 */
export function fallback(options: FallbackOptions = {}): Plugin {
  const retries = nonNegative(options.retries, 1, "retries");
  const budget = nonNegative(options.budget, 5, "budget");
  if (budget < 1) throw new TypeError("fallback: budget must be at least 1");
  const baseMs = nonNegative(options.backoff?.baseMs, 200, "backoff.baseMs");
  const maxMs = nonNegative(options.backoff?.maxMs, 5_000, "backoff.maxMs");
  const retryAfterMaxMs = nonNegative(options.backoff?.retryAfterMaxMs, 10_000, "backoff.retryAfterMaxMs");
  const triggers = compileTriggers(options.on ?? DEFAULT_TRIGGERS);
  const random = options.random ?? Math.random;

  const FAIL: AttemptDecision = Object.freeze({ action: "fail" });
  const NEXT: AttemptDecision = Object.freeze({ action: "next" });

  return definePlugin({
    name: "fallback",
    describe() {
      return { fallback: { retries, budget, backoff: { baseMs, maxMs, retryAfterMaxMs }, on: options.on ?? DEFAULT_TRIGGERS } };
    },
    onAttemptError(ctx, attempt, error): AttemptDecision {
      if (!triggered(error, triggers)) return FAIL;
      const { made, onTarget } = tally(ctx, attempt);
      if (made >= budget) return FAIL;
      const retryAfter = error.retryAfterMs;
      const sameTargetHelps = !hasCode(error, "upstream_auth_failed") && (retryAfter === undefined || retryAfter <= retryAfterMaxMs);
      if (onTarget <= retries && sameTargetHelps) {
        // Full jitter: anywhere from 0 to the exponential ceiling, so retrying callers spread out.
        const ceiling = Math.min(maxMs, baseMs * 2 ** (onTarget - 1));
        return { action: "retry", delayMs: retryAfter ?? Math.floor(random() * ceiling) };
      }
      const plan = ctx.targets;
      return plan !== null && plan.indexOf(attempt.target) < plan.length - 1 ? NEXT : FAIL;
    },
  });
}
