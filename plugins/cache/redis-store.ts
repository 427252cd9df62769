import { type BreakerOptions, CommandBreaker } from "../../stores/command-breaker.ts";
import type { CacheStore } from "./store.ts";

/** The few commands the cache needs, as an ioredis client has them. */
export interface RedisCacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "PX", ms: number): Promise<unknown>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
  ping?(): Promise<unknown>;
}

/** A counter store whose connection (and breaker) the cache can share: `redisStore()`. */
export interface SharedRedisStore {
  command<T>(op: (client: RedisCacheClient) => Promise<T>): Promise<T>;
  available?(): boolean;
}

export interface RedisCacheStoreOptions {
  /** `redis://…` URL for a connection of the store's own. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An ioredis client to share (the store then leaves closing it to you). */
  client?: RedisCacheClient;
  /**
   * A `redisStore()` to share: its connection, timeouts and breaker, so when that Redis hangs the
   * limits and the cache stop waiting for it together. Closing it is left to you.
   */
  store?: SharedRedisStore;
  /** Prepended to every key. Default `switchyard:cache:` (`cache:` after a shared store's own prefix). */
  prefix?: string;
  /**
   * A command that takes longer fails (the cache then answers a miss): a slow Redis must not slow
   * requests down. Also the longest wait for the first connection. Default 250 ms. Applies to the
   * store's own connection.
   */
  commandTimeoutMs?: number;
  /** The breaker of the store's own connection or given client (see `redisStore`). `false` turns it off. */
  breaker?: BreakerOptions | false;
}

/**
 * Cached responses in Redis, so every gateway instance shares one cache: `SET … PX` for the time
 * to live, `GET` to look up. ioredis is loaded on first use, so gateways without this store never
 * load it. While Redis is down, commands fail at once and the cache plugin treats them as misses;
 * ioredis reconnects in the background. A Redis that hangs opens the breaker after a few timed-out
 * commands: lookups are misses at once until a background PING gets an answer.
 */
export function redisCacheStore(options: RedisCacheStoreOptions = {}): CacheStore {
  if (options.store !== undefined) return sharedStore(options.store, options.prefix ?? "cache:");
  const prefix = options.prefix ?? "switchyard:cache:";
  const timeout = options.commandTimeoutMs ?? 250;
  const own = options.client === undefined;
  let client: Promise<RedisCacheClient> | null = options.client === undefined ? null : Promise.resolve(options.client);

  const connect = (): Promise<RedisCacheClient> =>
    (client ??= import("ioredis").then(async ({ Redis }) => {
      const redis = new Redis(options.url ?? "redis://127.0.0.1:6379", {
        commandTimeout: timeout,
        // While Redis is unreachable, fail a command at once (a miss) instead of queueing it
        // until a timeout: an outage must not add latency to every request.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      // Without a listener ioredis prints every reconnect failure; the cache plugin reports the
      // failing commands instead, once per outage.
      redis.on("error", () => {});
      redis.on("ready", () => breaker?.succeeded());
      // Only the first connection is waited for (briefly), so the first requests can use it.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          redis.off("ready", done);
          resolve();
        };
        const timer = setTimeout(done, timeout);
        (timer as { unref?: () => void }).unref?.();
        redis.once("ready", done);
      });
      return redis as unknown as RedisCacheClient;
    }));

  const breaker = options.breaker === false ? null : new CommandBreaker(
    {
      probe: async () => {
        const redis = await connect();
        if (redis.ping === undefined) throw new Error("the client has no ping");
        return redis.ping();
      },
      onOpen: () => {},
      onClose: () => {},
    },
    options.breaker,
  );

  function run<T>(op: (redis: RedisCacheClient) => Promise<T>): Promise<T> {
    if (breaker !== null && breaker.refuses()) return Promise.reject(new Error("redis cache store: not answering; a background check is waiting for it"));
    return connect().then(op).then(
      (value) => {
        breaker?.succeeded();
        return value;
      },
      (error) => {
        breaker?.failed();
        throw error;
      },
    );
  }

  /** The ioredis connection state, once there is a client to ask (a shared client without one counts as up). */
  let resolved: RedisCacheClient | null = options.client ?? null;
  const status = (): string | undefined => (resolved as { status?: string } | null)?.status;

  return {
    available() {
      if (resolved === null) {
        void connect().then((redis) => void (resolved = redis), () => {});
        return false;
      }
      const state = status();
      return (state === undefined || state === "ready") && !(breaker?.open ?? false);
    },
    get: (key) => run((redis) => redis.get(prefix + key)),
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      await run((redis) => redis.set(prefix + key, value, "PX", Math.ceil(ttlMs)));
    },
    async delete(key) {
      await run((redis) => redis.del(prefix + key));
    },
    async close() {
      breaker?.stop();
      if (!own || client === null) return;
      const redis = await client;
      client = null;
      await redis.quit().catch(() => {});
    },
  };
}

/** The cache on a counter store's connection: its timeouts, breaker and availability. */
function sharedStore(store: SharedRedisStore, prefix: string): CacheStore {
  return {
    available: () => store.available?.() ?? true,
    get: (key) => store.command((redis) => redis.get(prefix + key)),
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      await store.command((redis) => redis.set(prefix + key, value, "PX", Math.ceil(ttlMs)));
    },
    async delete(key) {
      await store.command((redis) => redis.del(prefix + key));
    },
  };
}
