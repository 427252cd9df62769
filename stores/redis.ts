import { Redis, type RedisOptions } from "ioredis";
import {
  type CounterStore,
  type LeaseDecision,
  type RateDecision,
  type RateRule,
  StoreUnavailableError,
} from "../core/counter-store.ts";
import { type BreakerOptions, CommandBreaker } from "./command-breaker.ts";
import { ACQUIRE, ADJUST, CONSUME, INCREMENT } from "./redis-scripts.ts";

export type { BreakerOptions } from "./command-breaker.ts";

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prepended to every key, so several gateways (or tests) can share one server. Default `switchyard:`. */
  prefix?: string;
  /** A command that has not answered by then fails (and the plugin's policy applies). Default 500 ms. */
  commandTimeoutMs?: number;
  /** How long the first connection may take before operations fail. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts while the server is away. Default 2000 ms. */
  maxReconnectDelayMs?: number;
  /**
   * After `failures` commands in a row fail (3), stop waiting for the server: commands fail at once
   * (each plugin applies its fail-open/closed policy) while a PING every `probeIntervalMs` (500)
   * checks in the background; the first answer resumes. `false` turns it off.
   */
  breaker?: BreakerOptions | false;
  /** Further ioredis options (TLS, sentinels …). The safety options above win. */
  redis?: RedisOptions;
  /** Where outage and recovery messages go; each outage is logged once. Default `console`. */
  logger?: Pick<Console, "warn">;
}

export interface RedisStoreStats {
  /** Whether the connection is up and answering. */
  readonly connected: boolean;
  /** Outages since start: each began with a failure after a healthy period. */
  readonly outages: number;
  /** Operations that failed (unreachable, timed out, refused). */
  readonly failures: number;
  /** When the current outage began (ms since the epoch), or null. */
  readonly downSince: number | null;
  /** Whether the breaker is open (commands fail at once while a probe checks the server). */
  readonly breakerOpen: boolean;
  /** Commands failed at once, without waiting, because the breaker was open. */
  readonly shortCircuited: number;
}

export interface RedisStore extends CounterStore {
  /** The ioredis client, for sharing the connection with a cache. Its `keyPrefix` is the store's prefix. */
  readonly client: Redis;
  readonly prefix: string;
  stats(): RedisStoreStats;
  /**
   * Run a command of your own on the store's connection, under its breaker and failure
   * accounting (the Redis cache store uses it when given this store).
   */
  command<T>(op: (client: Redis) => Promise<T>): Promise<T>;
  /** Connect now instead of on the first operation; resolves once connected or the first attempt failed. */
  connect(): Promise<void>;
  /** Close the connection. Idempotent. */
  close(): Promise<void>;
}

interface ScriptCommands {
  syConsume(key: string, limit: number, windowMs: number, cost: number): Promise<[number, number, number, number]>;
  syAdjust(key: string, limit: number, windowMs: number, delta: number): Promise<number>;
  syIncrement(key: string, amount: string, ttlMs: number): Promise<string>;
  syAcquire(key: string, id: string, limit: number, leaseMs: number): Promise<[number, number]>;
}

/** `host:port/db`, never the password, for log lines. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.length > 1 ? parsed.pathname : "";
    return `${parsed.hostname}:${parsed.port || "6379"}${db}`;
  } catch {
    return "redis";
  }
}

/**
 * A counter store on Redis, shared by every gateway instance that points at the same server.
 * Each operation is one Lua script (atomic on its key). The client never queues commands while
 * disconnected and every command has a timeout, so an outage costs a request milliseconds, not
 * a hang; the outage is logged once, counted, and the client reconnects on its own.
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  const url = options.url ?? "redis://127.0.0.1:6379";
  const prefix = options.prefix ?? "switchyard:";
  const where = describeUrl(url);
  const logger = options.logger ?? console;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;

  const client = new Redis(url, {
    ...options.redis,
    keyPrefix: prefix,
    lazyConnect: true,
    // Fail fast while disconnected: no unbounded offline queue, no retried commands piling up.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: connectTimeoutMs,
    // Never give up: recovery is automatic once the server is back.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
  });
  client.defineCommand("syConsume", { numberOfKeys: 1, lua: CONSUME });
  client.defineCommand("syAdjust", { numberOfKeys: 1, lua: ADJUST });
  client.defineCommand("syIncrement", { numberOfKeys: 1, lua: INCREMENT });
  client.defineCommand("syAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  const scripts = client as unknown as Redis & ScriptCommands;

  let connected = false;
  let healthy = true;
  let outages = 0;
  let failures = 0;
  let downSince: number | null = null;
  let closing = false;
  let started: Promise<void> | null = null;

  function markDown(reason: string): void {
    connected = client.status === "ready";
    if (!healthy || closing) return;
    healthy = false;
    outages++;
    downSince = Date.now();
    logger.warn(`switchyard: redis store ${where} is unreachable (${reason}); limits follow their fail-open/closed policy until it returns`);
  }

  function markUp(): void {
    if (healthy) return;
    healthy = true;
    const seconds = downSince === null ? 0 : (Date.now() - downSince) / 1000;
    downSince = null;
    logger.warn(`switchyard: redis store ${where} is reachable again after ${seconds.toFixed(1)} s`);
  }

  const breaker = options.breaker === false ? null : new CommandBreaker(
    {
      probe: () => client.ping(),
      onOpen: () => markDown("commands are timing out; no longer waiting for it"),
      onClose: () => markUp(),
    },
    options.breaker,
  );

  client.on("ready", () => {
    connected = true;
    // A new connection passed ioredis's ready check: the server answers.
    breaker?.succeeded();
    markUp();
  });
  // ioredis emits "error" on every failed reconnect; one log line per outage is enough.
  client.on("error", (error: Error) => markDown(error.message));
  client.on("close", () => markDown("connection closed"));

  /** Resolves when the first connection attempt ends, whichever way, within the connect timeout. */
  function start(): Promise<void> {
    started ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, connectTimeoutMs + 100);
      (timer as { unref?: () => void }).unref?.();
      const done = (): void => {
        clearTimeout(timer);
        client.off("ready", done);
        client.off("error", done);
        resolve();
      };
      client.once("ready", done);
      client.once("error", done);
      client.connect().catch(() => {});
    });
    return started;
  }

  function fail(error: unknown): never {
    failures++;
    breaker?.failed();
    const message = error instanceof Error ? error.message : String(error);
    markDown(message);
    throw new StoreUnavailableError("redis", `redis store ${where}: ${message}`, error);
  }

  /** An answer after failures that never dropped the connection (timeouts) also ends the outage. */
  function succeeded<T>(value: T): T {
    breaker?.succeeded();
    if (!healthy) markUp();
    return value;
  }

  function run<T>(op: () => Promise<T>): Promise<T> {
    if (breaker !== null && breaker.refuses()) {
      failures++;
      return Promise.reject(new StoreUnavailableError("redis", `redis store ${where}: not answering; commands fail at once until a background check gets an answer`));
    }
    if (connected) return op().then(succeeded, fail);
    return start().then(op).then(succeeded, fail);
  }

  return {
    kind: "redis",
    client,
    prefix,

    consume(key: string, rule: RateRule, cost: number): Promise<RateDecision> {
      return run(() => scripts.syConsume(key, rule.limit, rule.windowMs, cost)).then((r) => ({
        allowed: r[0] === 1,
        limit: rule.limit,
        remaining: r[1],
        resetMs: r[2],
        retryAfterMs: r[3],
      }));
    },

    async adjust(key: string, rule: RateRule, delta: number): Promise<void> {
      await run(() => scripts.syAdjust(key, rule.limit, rule.windowMs, delta));
    },

    increment(key: string, amount: number, ttlMs?: number): Promise<number> {
      const ttl = ttlMs !== undefined && ttlMs > 0 ? Math.ceil(ttlMs) : 0;
      return run(() => scripts.syIncrement(key, String(amount), ttl)).then(Number);
    },

    get(key: string): Promise<number> {
      return run(() => client.get(key)).then((value) => (value === null ? 0 : Number(value)));
    },

    acquire(key: string, id: string, limit: number, leaseMs: number): Promise<LeaseDecision> {
      return run(() => scripts.syAcquire(key, id, limit, leaseMs)).then((r) => ({ acquired: r[0] === 1, held: r[1], limit }));
    },

    async release(key: string, id: string): Promise<void> {
      await run(() => client.zrem(key, id));
    },

    stats(): RedisStoreStats {
      return { connected: client.status === "ready", outages, failures, downSince, breakerOpen: breaker?.open ?? false, shortCircuited: breaker?.shortCircuited ?? 0 };
    },

    command: (op) => run(() => op(client)),

    connect: start,

    available(): boolean {
      if (started === null) void start();
      return client.status === "ready" && healthy && !(breaker?.open ?? false);
    },

    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      breaker?.stop();
      if (client.status === "ready") await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
