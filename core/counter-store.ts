/**
 * The counter store contract: the small set of atomic operations that rate limits, budgets and
 * concurrency caps need, so that several gateway instances can share one limit. Implementations
 * live in `switchyard/stores` (`memoryStore`, `redisStore`); a community driver proves itself
 * with `counterStoreConformance` from `switchyard/testing`.
 *
 * Every operation may answer synchronously (an in-process store) or with a promise (a networked
 * one); callers stay synchronous until they see a thenable. Each operation is atomic on its key:
 * two callers racing on one key never both see the last free unit.
 *
 * A store that cannot reach its backend rejects (or throws) quickly with `StoreUnavailableError`;
 * it must never hang a request. What a plugin does then (fail open or closed) is its own policy.
 */

type MaybePromise<T> = T | Promise<T>;

/** A rate: at most `limit` units per `windowMs`, replenished continuously (no window edges). */
export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** The answer to one `consume`. Times are in milliseconds from now. */
export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Whole units that could still be taken right now (after this call's cost, when allowed). */
  readonly remaining: number;
  /** Until the bucket is back to its full `limit` (OpenAI's `x-ratelimit-reset-*`). */
  readonly resetMs: number;
  /** 0 when allowed; otherwise how long until a request of this cost would be allowed. */
  readonly retryAfterMs: number;
}

export interface LeaseDecision {
  readonly acquired: boolean;
  /** Leases held on the key after this call (including this one when acquired). */
  readonly held: number;
  readonly limit: number;
}

export interface CounterStore {
  /** A short name for logs and `switchyard check` (`memory`, `redis`). */
  readonly kind: string;

  /**
   * Take `cost` units from the rate bucket at `key` if they fit, all or nothing. The algorithm is
   * GCRA: a burst of up to `limit` units, then a steady `limit / windowMs`, with no burst at a
   * window edge. A cost larger than `rule.limit` never fits (check that before asking: its
   * `retryAfterMs` means nothing).
   */
  consume(key: string, rule: RateRule, cost: number): MaybePromise<RateDecision>;

  /**
   * Add `delta` units to the rate bucket at `key` unconditionally: positive when a request used
   * more than was taken up front, negative to give back what it did not use.
   */
  adjust(key: string, rule: RateRule, delta: number): MaybePromise<void>;

  /** Add `amount` (may be fractional) to the counter at `key`; return the new total. A new key expires after `ttlMs`. */
  increment(key: string, amount: number, ttlMs?: number): MaybePromise<number>;

  /** The counter at `key`, 0 when absent or expired. */
  get(key: string): MaybePromise<number>;

  /**
   * Hold one of `limit` leases at `key` under `id`. A lease nobody releases lapses after
   * `leaseMs`, so a crashed instance or a lost release cannot leak capacity forever.
   */
  acquire(key: string, id: string, limit: number, leaseMs: number): MaybePromise<LeaseDecision>;

  /** Give back the lease `id` at `key`; unknown ids are ignored. */
  release(key: string, id: string): MaybePromise<void>;

  /**
   * Whether the backend answers right now, from state the store already keeps (no round trip):
   * `/ready` asks it for plugins configured with `required: true`. A store without it (an
   * in-process one) is always available. Asking may start a lazy store's first connection.
   */
  available?(): boolean;

  /** Release connections and timers. Idempotent. */
  close?(): MaybePromise<void>;
}

/** A store could not answer (backend unreachable, timed out). Plugins apply their fail-open/closed policy. */
export class StoreUnavailableError extends Error {
  readonly store: string;

  constructor(store: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "StoreUnavailableError";
    this.store = store;
  }
}
