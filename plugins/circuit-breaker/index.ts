import { type ErrorCode, hasCode } from "../../core/error-codes.ts";
import type { GatewayError } from "../../core/errors.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { CircuitBreakerApi, CircuitSnapshot } from "../../core/plugin-api.ts";
import type { Attempt, Target } from "../../core/types.ts";
import { offerState, previousState } from "../handover.ts";
import { Circuit, type CircuitPolicy, type CircuitState } from "./circuit.ts";

export type { CircuitState } from "./circuit.ts";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open a target's circuit. Default 5; 0 turns the rule off. */
  failures?: number;
  /** Share of failed requests (0–1) in the window that opens it. Default 0.5; 0 turns the rule off. */
  errorRate?: number;
  /** The error-rate rule needs this many outcomes in the window. Default 20. */
  minRequests?: number;
  /** The error-rate window, in ms. Default 60 000. */
  windowMs?: number;
  /** How long an open circuit sends no traffic before one probe, in ms. Default 30 000. */
  cooldownMs?: number;
  /** A probe that has not reported after this long no longer holds back the next. Default `cooldownMs`. */
  probeTimeoutMs?: number;
  /** Most targets tracked; the oldest closed ones are forgotten past it. Default 10 000. */
  maxTargets?: number;
  /** Told of every state change (for logs and metrics). Must not throw. */
  onStateChange?: (change: CircuitChange) => void;
  /** The clock in ms (default `performance.now`); tests pass their own. */
  clock?: () => number;
}

export interface CircuitChange {
  readonly provider: string;
  readonly model: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: string;
}

export type { CircuitSnapshot } from "../../core/plugin-api.ts";

export interface CircuitBreakerPlugin extends Plugin {
  /** What metrics and other plugins read: `state` and `snapshot`, the same as the methods below. */
  readonly api: { readonly circuitBreaker: CircuitBreakerApi };
  /** The state of one target's circuit (`closed` for a target never seen). */
  state(provider: string, model: string): CircuitState;
  /** Every tracked circuit, for metrics and health pages. */
  snapshot(): readonly CircuitSnapshot[];
}

function positive(value: number | undefined, fallback: number, name: string, min = 0): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min) throw new TypeError(`circuitBreaker: ${name} must be a number >= ${min}`);
  return v;
}

/** A target's own failure: the upstream failed, not the request (a 400 says the upstream is up). */
function countsAsFailure(error: GatewayError): boolean {
  return error.fault === "provider" || hasCode(error, "upstream_auth_failed");
}

/**
 * A circuit breaker per target (provider + model). After too many failures a target gets no
 * traffic for a cooldown: `onAttempt` skips it, so the plan moves on to the next target without
 * an upstream call. Then one probe goes through; its success closes the circuit, its failure opens
 * it again. State is readable with `state()` / `snapshot()` and pushed to `onStateChange`.
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreakerPlugin {
  const cooldownMs = positive(options.cooldownMs, 30_000, "cooldownMs", 1);
  const policy: CircuitPolicy = Object.freeze({
    failures: positive(options.failures, 5, "failures"),
    errorRate: positive(options.errorRate, 0.5, "errorRate"),
    minRequests: positive(options.minRequests, 20, "minRequests", 1),
    windowMs: positive(options.windowMs, 60_000, "windowMs", 10),
    cooldownMs,
    probeTimeoutMs: positive(options.probeTimeoutMs, cooldownMs, "probeTimeoutMs", 1),
  });
  if (policy.errorRate > 1) throw new TypeError("circuitBreaker: errorRate must be between 0 and 1");
  if (policy.failures === 0 && policy.errorRate === 0) throw new TypeError("circuitBreaker: failures and errorRate cannot both be 0");
  const maxTargets = positive(options.maxTargets, 10_000, "maxTargets", 1);
  const clock = options.clock ?? (() => performance.now());
  const notify = options.onStateChange;

  const circuits = new Map<string, Circuit>();
  // Route targets are long-lived objects: find their circuit without building a key string.
  const byTarget = new WeakMap<Target, Circuit>();
  /** Attempts let through and not yet judged. */
  const pending = new WeakSet<Attempt>();

  const changed = (circuit: Circuit, from: CircuitState, reason: string): void => {
    if (notify === undefined) return;
    try {
      notify({ provider: circuit.provider, model: circuit.model, from, to: circuit.state, reason });
    } catch {
      // A listener's failure must not break routing.
    }
  };

  function circuitFor(target: Target): Circuit {
    let circuit = byTarget.get(target);
    if (circuit !== undefined) return circuit;
    const key = `${target.provider}/${target.model}`;
    circuit = circuits.get(key);
    if (circuit === undefined) {
      if (circuits.size >= maxTargets) forgetOne();
      circuit = new Circuit(target.provider, target.model, policy, changed);
      circuits.set(key, circuit);
    }
    byTarget.set(target, circuit);
    return circuit;
  }

  function forgetOne(): void {
    for (const [key, circuit] of circuits) {
      if (circuit.state === "closed") {
        circuits.delete(key);
        return;
      }
    }
    // Every tracked circuit is open: forget the oldest rather than grow.
    const first = circuits.keys().next();
    if (!first.done) circuits.delete(first.value);
  }

  const api: CircuitBreakerApi = {
    state(provider, model) {
      const circuit = circuits.get(`${provider}/${model}`);
      if (circuit === undefined) return "closed";
      // An open circuit whose cooldown is over is, for a reader, half-open.
      return circuit.state === "open" && circuit.retryInMs(clock()) === 0 ? "half-open" : circuit.state;
    },
    snapshot() {
      const now = clock();
      return [...circuits.values()].map((c) => {
        const { total, bad } = c.window(now);
        return {
          provider: c.provider,
          model: c.model,
          state: c.state === "open" && c.retryInMs(now) === 0 ? "half-open" : c.state,
          consecutiveFailures: c.consecutiveFailures,
          requests: total,
          failures: bad,
          retryInMs: c.retryInMs(now),
        };
      });
    },
  };

  const plugin = definePlugin<CircuitBreakerPlugin>({
    name: "circuit-breaker",
    setup(app) {
      // On a reload the new breaker carries on with the old one's circuits (an open one stays open).
      const previous = previousState<Map<string, Circuit>>(app, CIRCUITS);
      if (previous === undefined) return;
      for (const [key, circuit] of previous) {
        if (circuits.has(key)) continue;
        if (circuits.size >= maxTargets) break;
        circuit.rebind(policy, changed);
        circuits.set(key, circuit);
      }
    },
    api: { circuitBreaker: api },
    state: api.state,
    snapshot: api.snapshot,
    describe() {
      return { circuitBreaker: { ...policy } };
    },
    onAttempt: {
      // Before other plugins spend work on a target that will not be called.
      order: "pre",
      handler(ctx, attempt) {
        const circuit = circuitFor(attempt.target);
        if (circuit.allow(clock()) === false) {
          attempt.errorCode = "circuit_open" satisfies ErrorCode;
          (ctx.vars.circuitSkipped ??= []).push(`${attempt.target.provider}/${attempt.target.model}`);
          return "skip";
        }
        pending.add(attempt);
        return undefined;
      },
    },
    onAttemptError: {
      // Observe only, ahead of the plugins that decide what happens next.
      order: "pre",
      handler(_ctx, attempt, error) {
        if (!pending.delete(attempt)) return undefined;
        const circuit = circuitFor(attempt.target);
        if (countsAsFailure(error)) circuit.failure(clock());
        else circuit.success(clock());
        return undefined;
      },
    },
    onComplete(ctx) {
      const served = ctx.served === null ? undefined : ctx.attempts[ctx.attempts.length - 1];
      for (const attempt of ctx.attempts) {
        if (!pending.delete(attempt)) continue;
        const circuit = circuitFor(attempt.target);
        if (attempt !== served) circuit.release();
        // A stream that broke after it began is the target's failure too.
        else if (attempt.outcome === "error" && attempt.fault === "provider") circuit.failure(clock());
        else circuit.success(clock());
      }
    },
  });
  offerState(plugin, CIRCUITS, circuits);
  return plugin;
}

const CIRCUITS = "circuit-breaker";
