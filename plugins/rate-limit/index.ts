import type { RequestContext } from "../../core/context.ts";
import type { CounterStore, LeaseDecision, RateDecision, RateRule } from "../../core/counter-store.ts";
import { GatewayError } from "../../core/errors.ts";
import type { Limits } from "../../core/key-store.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { RateLimitApi } from "../../core/plugin-api.ts";
import { memoryStore } from "../../stores/memory.ts";
import { carriedStore, offerStore, storeHold } from "../handover.ts";
import { bucketOf, describeBucket, type LimitScope } from "../principal-bucket.ts";
import { type EarlyStart, earlyStarts, isNetworked, offerEarlyStart } from "../store-calls.ts";
import { isThenable, limitsUnavailable, newStorePolicyStats, requireStore, type StorePolicyStats } from "../store-policy.ts";
import { type BucketKeys, bucketKeys } from "./bucket-keys.ts";
import { estimateRequestTokens } from "./estimate.ts";
import { type Dimension, formatReset, limitHeaders, setLimitHeaders } from "./headers.ts";

export interface RateLimitOptions {
  /** Whose share each request counts against: its key, its key's team, the model asked for, or everyone. */
  per: LimitScope;
  /** Requests per window (a minute by default). */
  rpm?: number;
  /**
   * Tokens per window. Checked before the call from an estimate of the request (its text and the
   * output it reserves), then corrected from the real usage once the response completes.
   */
  tpm?: number;
  /** Requests in flight at once; a slot is released on completion, error and client abort. */
  concurrent?: number;
  /** Where counts live. Default: an in-process `memoryStore()`; use `redisStore()` to share limits. */
  store?: CounterStore;
  /**
   * When the store cannot be reached: let requests through (true, the default) or refuse them
   * with 503 `limits_unavailable` (false).
   */
  failOpen?: boolean;
  /** `/ready` answers 503 while the store is unreachable, so a load balancer moves traffic elsewhere. Default false. */
  required?: boolean;
  /** Plugin name; must be unique. Default `rate-limit:<per>`. */
  name?: string;
  /** The window `rpm` and `tpm` refer to. Default 60 000 ms. */
  windowMs?: number;
  /** Longest a concurrency slot stays held when its release is lost (crash, store outage). Default 10 min. */
  leaseMs?: number;
}

export interface RateLimitStats extends StorePolicyStats {
  allowed: number;
  rejected: number;
}

export interface RateLimitPlugin extends Plugin {
  /** What metrics reads: requests allowed and rejected (the same as `stats()`). */
  readonly api: { readonly rateLimit: RateLimitApi };
  stats(): Readonly<RateLimitStats>;
}

/** What a request took up front, settled by `onComplete`. */
interface Hold {
  tokensKey: string | null;
  tokenRule: RateRule | null;
  estimate: number;
  leaseKey: string | null;
  leaseId: string | null;
}

/** The limits that apply to one request: the plugin's defaults, or a key's or team's own. */
interface Plan {
  readonly requestRule: RateRule | null;
  readonly tokenRule: RateRule | null;
  readonly concurrent: number | undefined;
}

/** Requests that spend tokens, on every surface; token counts and model lists spend none. */
const SPENDING = ["generate", "embed"] as const;
const INSTANCE = /* @__PURE__ */ crypto.randomUUID().slice(0, 8);
let leaseSequence = 0;

function positive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new TypeError(`rateLimit: ${name} must be a positive integer`);
  }
}

function rejection(dimension: Dimension | "concurrent", who: string, decision: RateDecision | null, limit: number, requested: number): GatewayError {
  if (decision === null) {
    return new GatewayError({
      status: 429,
      type: "requests",
      message: `Too many concurrent requests for ${who}: limit ${limit}. Try again when one finishes.`,
      code: "rate_limit_exceeded",
      fault: "policy",
      retryAfterMs: 1000,
      headers: { "retry-after": "1" },
    });
  }
  const unit = dimension === "requests" ? "requests per min (RPM)" : "tokens per min (TPM)";
  const used = decision.limit - decision.remaining;
  return new GatewayError({
    status: 429,
    type: dimension as string,
    message: `Rate limit reached for ${who} on ${unit}: Limit ${decision.limit}, Used ${used}, Requested ${requested}. Please try again in ${formatReset(decision.retryAfterMs)}.`,
    code: "rate_limit_exceeded",
    fault: "policy",
    retryAfterMs: decision.retryAfterMs,
    headers: { "retry-after": String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))), ...limitHeaders(dimension as Dimension, decision) },
  });
}

/**
 * Requests, tokens and concurrency limits per key, team, model or for everyone. Use as many as
 * you need (`rateLimit({ per: "key", rpm: 60 })`, `rateLimit({ per: "team", tpm: 1e6 })` …); each
 * is its own plugin, named `rate-limit:<per>` unless you name it. A rejection is 429 with
 * `Retry-After` and OpenAI's `x-ratelimit-*` headers; allowed responses carry the same headers
 * for the tightest limit that applied.
 */
export function rateLimit(options: RateLimitOptions): RateLimitPlugin {
  if (!options || !["key", "team", "model", "global"].includes(options.per)) {
    throw new TypeError('rateLimit: options.per must be "key", "team", "model" or "global"');
  }
  const { per, rpm, tpm, concurrent } = options;
  positive("rpm", rpm);
  positive("tpm", tpm);
  positive("concurrent", concurrent);
  positive("windowMs", options.windowMs);
  positive("leaseMs", options.leaseMs);
  // Per key or team, limits may come from the keys' and teams' own records alone.
  if (rpm === undefined && tpm === undefined && concurrent === undefined && per !== "key" && per !== "team") {
    throw new TypeError("rateLimit: set at least one of rpm, tpm or concurrent");
  }
  const name = options.name ?? `rate-limit:${per}`;
  const keysOf = bucketKeys(`rl:${name}`);
  let store = options.store ?? memoryStore();
  const storeHeld = storeHold<CounterStore>();
  const failOpen = options.failOpen ?? true;
  const windowMs = options.windowMs ?? 60_000;
  const leaseMs = options.leaseMs ?? 600_000;
  const defaults: Plan = { requestRule: rpm === undefined ? null : { limit: rpm, windowMs }, tokenRule: tpm === undefined ? null : { limit: tpm, windowMs }, concurrent };
  /** Plans for keys and teams that set their own limits, made once per limits object (they are long-lived). */
  const plans = new WeakMap<Limits, Plan>();
  const planFor = (own: Limits | undefined): Plan => {
    if (own === undefined) return defaults;
    let plan = plans.get(own);
    if (plan === undefined) {
      plan = {
        requestRule: own.rpm !== undefined ? { limit: own.rpm, windowMs } : defaults.requestRule,
        tokenRule: own.tpm !== undefined ? { limit: own.tpm, windowMs } : defaults.tokenRule,
        concurrent: own.concurrent ?? concurrent,
      };
      plans.set(own, plan);
    }
    return plan;
  };
  const holds = new WeakMap<RequestContext, Hold>();
  const stats: RateLimitStats = { allowed: 0, rejected: 0, ...newStorePolicyStats() };
  const readStats = (): Readonly<RateLimitStats> => ({ ...stats });

  /** Best-effort accounting after the fact; a failure is counted, never reported per request. */
  function settle(result: void | Promise<void>): Promise<void> | undefined {
    if (!isThenable(result)) return undefined;
    return (result as Promise<void>).catch(() => {
      stats.storeErrors++;
    });
  }

  function safely<T>(call: () => T | Promise<T>): T | Promise<T> {
    try {
      return call();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function storeFailed(): undefined {
    stats.storeErrors++;
    if (!failOpen) {
      stats.failedClosed++;
      throw limitsUnavailable("Rate limits");
    }
    stats.failedOpen++;
    return undefined;
  }

  function decide(
    ctx: RequestContext,
    plan: Plan,
    bucket: string,
    keys: BucketKeys,
    estimate: number,
    leaseId: string | null,
    requests: RateDecision | null,
    tokens: RateDecision | null,
    lease: LeaseDecision | null,
    failed: boolean,
  ): undefined {
    const rejectedBy = requests !== null && !requests.allowed ? "requests" : tokens !== null && !tokens.allowed ? "tokens" : lease !== null && !lease.acquired ? "concurrent" : null;
    if (rejectedBy !== null || (failed && !failOpen)) {
      // Give back what this request took from the other limits; its request count stays spent.
      if (tokens?.allowed) settle(safely(() => store.adjust(keys.tokens, plan.tokenRule!, -estimate)));
      if (lease?.acquired) settle(safely(() => store.release(keys.concurrent, leaseId!)));
      if (rejectedBy === null) return storeFailed();
      stats.rejected++;
      const who = describeBucket(per, bucket);
      const error =
        rejectedBy === "requests" ? rejection("requests", who, requests, plan.requestRule!.limit, 1)
        : rejectedBy === "tokens" ? rejection("tokens", who, tokens, plan.tokenRule!.limit, estimate)
        : rejection("concurrent", who, null, plan.concurrent!, 1);
      // The context's headers win over the error's on the way out: make the limit that refused
      // the request the one the caller sees, not a looser one that passed it earlier.
      if (error.headers !== undefined) for (const name in error.headers) if (name.startsWith("x-ratelimit-")) ctx.setResponseHeader(name, error.headers[name]);
      throw error;
    }
    if (failed) storeFailed();
    stats.allowed++;
    if (requests !== null) setLimitHeaders(ctx, "requests", requests);
    if (tokens !== null) setLimitHeaders(ctx, "tokens", tokens);
    const tokensHeld = tokens !== null && tokens.allowed;
    const leaseHeld = lease !== null && lease.acquired;
    if (tokensHeld || leaseHeld) {
      holds.set(ctx, {
        tokensKey: tokensHeld ? keys.tokens : null,
        tokenRule: plan.tokenRule,
        estimate,
        leaseKey: leaseHeld ? keys.concurrent : null,
        leaseId: leaseHeld ? leaseId : null,
      });
    }
    return undefined;
  }

  /** A request's store calls, begun (perhaps early, by a peer: see store-calls.ts) and not judged yet. */
  interface Begun {
    readonly plan: Plan;
    readonly bucket: string;
    readonly keys: BucketKeys;
    readonly estimate: number;
    readonly tooLarge: boolean;
    readonly leaseId: string | null;
    readonly requests: RateDecision | Promise<RateDecision> | null;
    readonly tokens: RateDecision | Promise<RateDecision> | null;
    readonly lease: LeaseDecision | Promise<LeaseDecision> | null;
  }
  const CLAIMED = null;
  const begun = new WeakMap<RequestContext, Begun | typeof CLAIMED>();
  let peers: readonly EarlyStart[] = [];

  function begin(ctx: RequestContext): Begun | null {
    const bucket = bucketOf(per, ctx);
    if (bucket === null) return null;
    const plan = planFor(per === "key" ? ctx.principal?.limits : per === "team" ? ctx.principal?.teamLimits : undefined);
    const { requestRule, tokenRule, concurrent } = plan;
    if (requestRule === null && tokenRule === null && concurrent === undefined) return null;
    const keys = keysOf(bucket);
    let estimate = 0;
    if (tokenRule !== null) {
      estimate = estimateRequestTokens(ctx);
      if (estimate > tokenRule.limit) return { plan, bucket, keys, estimate, tooLarge: true, leaseId: null, requests: null, tokens: null, lease: null };
    }
    const leaseId = concurrent === undefined ? null : `${INSTANCE}:${(leaseSequence = (leaseSequence + 1) % Number.MAX_SAFE_INTEGER).toString(36)}`;
    const requests = requestRule === null ? null : safely(() => store.consume(keys.requests, requestRule, 1));
    const tokens = tokenRule === null ? null : safely(() => store.consume(keys.tokens, tokenRule, estimate));
    const lease = leaseId === null ? null : safely(() => store.acquire(keys.concurrent, leaseId, concurrent!, leaseMs));
    return { plan, bucket, keys, estimate, tooLarge: false, leaseId, requests, tokens, lease };
  }

  /** A peer starts this limiter's calls ahead of its turn (networked stores only). */
  function startEarly(ctx: RequestContext): void {
    if (begun.has(ctx) || !isNetworked(store) || ctx.operation === null || !(SPENDING as readonly string[]).includes(ctx.operation)) return;
    const started = begin(ctx);
    if (started === null) return;
    // Judged in this limiter's turn; until then a failed call must not count as unhandled.
    for (const call of [started.requests, started.tokens, started.lease]) if (isThenable(call)) (call as Promise<unknown>).catch(() => {});
    begun.set(ctx, started);
  }

  /** Calls started early whose turn never came: give back what they took. */
  function giveBack(started: Begun): Promise<void> {
    const { plan, keys } = started;
    return Promise.allSettled([started.requests, started.tokens, started.lease]).then(([r, t, l]) => {
      if (r.status === "fulfilled" && r.value?.allowed) settle(safely(() => store.adjust(keys.requests, plan.requestRule!, -1)));
      if (t.status === "fulfilled" && t.value?.allowed) settle(safely(() => store.adjust(keys.tokens, plan.tokenRule!, -started.estimate)));
      if (l.status === "fulfilled" && l.value?.acquired) settle(safely(() => store.release(keys.concurrent, started.leaseId!)));
    });
  }

  function check(ctx: RequestContext): void | Promise<void> {
    for (const start of peers) start(ctx);
    const early = begun.get(ctx);
    if (early !== undefined) begun.set(ctx, CLAIMED);
    const started = early ?? begin(ctx);
    if (started === null) return;
    const { plan, bucket, keys, estimate, leaseId, requests, tokens, lease } = started;
    if (started.tooLarge) {
      stats.rejected++;
      throw new GatewayError({
        status: 429,
        type: "tokens",
        message: `Request too large for ${describeBucket(per, bucket)} on tokens per min (TPM): Limit ${plan.tokenRule!.limit}, Requested ${estimate}. Send fewer tokens or ask for a smaller max_tokens.`,
        code: "rate_limit_exceeded",
        fault: "policy",
        headers: { "x-should-retry": "false" },
      });
    }
    if (!isThenable(requests) && !isThenable(tokens) && !isThenable(lease)) {
      return decide(ctx, plan, bucket, keys, estimate, leaseId, requests, tokens, lease, false);
    }
    // A networked store: the checks run side by side, one round trip's latency in all.
    return Promise.allSettled([requests, tokens, lease]).then(([r, t, l]) => {
      const failed = r.status === "rejected" || t.status === "rejected" || l.status === "rejected";
      const value = <T>(s: PromiseSettledResult<T | null>): T | null => (s.status === "fulfilled" ? s.value : null);
      return decide(ctx, plan, bucket, keys, estimate, leaseId, value(r), value(t), value(l), failed);
    });
  }

  function complete(ctx: RequestContext): void | Promise<void> {
    const unclaimed = begun.get(ctx);
    if (unclaimed !== undefined) {
      begun.delete(ctx);
      if (unclaimed !== CLAIMED) return giveBack(unclaimed);
    }
    const hold = holds.get(ctx);
    if (hold === undefined) return;
    holds.delete(ctx);
    let tokens: Promise<void> | undefined;
    let lease: Promise<void> | undefined;
    if (hold.tokensKey !== null) {
      // Real usage replaces the estimate; nothing served means nothing was used.
      const delta = ctx.usage !== null ? ctx.usage.totalTokens - hold.estimate : ctx.served === null ? -hold.estimate : 0;
      if (delta !== 0) tokens = settle(safely(() => store.adjust(hold.tokensKey!, hold.tokenRule!, delta)));
    }
    if (hold.leaseKey !== null) lease = settle(safely(() => store.release(hold.leaseKey!, hold.leaseId!)));
    if (tokens !== undefined || lease !== undefined) return Promise.all([tokens, lease]).then(() => undefined);
  }

  const plugin = definePlugin({
    name,
    describe: () => ({ per, rpm, tpm, concurrent, windowMs, store: store.kind, failOpen, required: options.required === true }),
    setup(app) {
      store = carriedStore(app, store);
      storeHeld.take(store);
      if (options.required === true) requireStore(app, name, store);
      peers = earlyStarts(app.plugins);
    },
    onRequest: { handler: check, filter: { operations: SPENDING } },
    onComplete: complete,
    close: () => storeHeld.close(store),
    stats: readStats,
    api: { rateLimit: { stats: readStats } },
  });
  offerStore(plugin, () => store);
  offerEarlyStart(plugin, startEarly);
  return plugin;
}
