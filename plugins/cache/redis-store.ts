import type { CacheStore } from "./store.ts";

/** The few commands the cache needs, as an ioredis client has them. */
export interface RedisCacheClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: "PX", ms: number): Promise<unknown>;
  del(key: string): Promise<number>;
  quit(): Promise<unknown>;
}

export interface RedisCacheStoreOptions {
  /** `redis://…` URL for a connection of the store's own. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** An ioredis client to share (the store then leaves closing it to you). */
  client?: RedisCacheClient;
  /** Prepended to every key. Default `switchyard:cache:`. */
  prefix?: string;
  /**
   * A command that takes longer fails (the cache then answers a miss): a slow Redis must not slow
   * requests down. Also the longest wait for the first connection. Default 250 ms. Applies to the
   * store's own connection.
   */
  commandTimeoutMs?: number;
}

/**
 * Cached responses in Redis, so every gateway instance shares one cache: `SET … PX` for the time
 * to live, `GET` to look up. ioredis is loaded on first use, so gateways without this store never
 * load it. While Redis is down, commands fail at once and the cache plugin treats them as misses;
 * ioredis reconnects in the background.
 */
export function redisCacheStore(options: RedisCacheStoreOptions = {}): CacheStore {
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
      return state === undefined || state === "ready";
    },
    async get(key) {
      return (await connect()).get(prefix + key);
    },
    async set(key, value, ttlMs) {
      if (!(ttlMs > 0)) return;
      await (await connect()).set(prefix + key, value, "PX", Math.ceil(ttlMs));
    },
    async delete(key) {
      await (await connect()).del(prefix + key);
    },
    async close() {
      if (!own || client === null) return;
      const redis = await client;
      client = null;
      await redis.quit().catch(() => {});
    },
  };
}
