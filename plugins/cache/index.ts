import type { RequestContext } from "../../core/context.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import { cachedResponse, decodeEntry, encodeEntry } from "./entry.ts";
import { canonicalJson, sha256Hex } from "./key.ts";
import { isNetworked, offerEarlyStart } from "../store-calls.ts";
import { requireStore } from "../store-policy.ts";
import { type CacheStore, memoryCacheStore } from "./store.ts";

export { type CacheStore, memoryCacheStore, type MemoryCacheStore, type MemoryCacheStoreOptions } from "./store.ts";
export { type RedisCacheClient, redisCacheStore, type RedisCacheStoreOptions } from "./redis-store.ts";
export { canonicalJson } from "./key.ts";

export interface CacheOptions {
  /** How long an answer is served from the cache, in seconds. */
  ttl: number;
  /** Where answers are kept. Default: an in-memory LRU of `maxBytes`. Closed with the gateway. */
  store?: CacheStore;
  /** Size of the default in-memory store. Default 64 MiB. */
  maxBytes?: number;
  /** Answers longer than this many characters are not cached. Default 1 Mi. */
  maxEntryChars?: number;
  /**
   * Who shares cached answers: only the same key (`key`, the default), the same team (`team`; a
   * key without a team keeps its answers to itself), or every caller (`shared`; `none` is an older
   * name for it). Sharing means a caller can tell from a hit that someone asked the same thing,
   * and may get an answer routed for someone else: share only between callers whose routing
   * rules agree (or add the headers the rules read to `vary`).
   */
  partition?: "key" | "team" | "shared" | "none";
  /** Request headers whose values are part of the key (as HTTP `Vary`), e.g. ones routing rules read. */
  vary?: string[];
  /** `/ready` answers 503 while the store is unreachable (a cache outage otherwise only costs misses). Default false. */
  required?: boolean;
  /** Body fields left out of the key. Default `["user"]` (an end-user id does not change the answer). */
  ignore?: string[];
}

/** A miss on its way to being stored: both the body and the request's outcome must be in. */
interface Pending {
  readonly key: string;
  kind: "json" | "sse";
  body: string | null;
  /** Set by onComplete: whether the request ended well, and who served it. */
  done: { ok: boolean; provider: string | null; model: string | null } | null;
}

interface CacheControl {
  noStore: boolean;
  noCache: boolean;
  /** Accept only entries at most this many seconds old. */
  maxAge: number | undefined;
}

const NO_DIRECTIVES: CacheControl = Object.freeze({ noStore: false, noCache: false, maxAge: undefined });

function parseCacheControl(header: string | null): CacheControl {
  if (header === null) return NO_DIRECTIVES;
  const control: CacheControl = { noStore: false, noCache: false, maxAge: undefined };
  for (const part of header.toLowerCase().split(",")) {
    const directive = part.trim();
    if (directive === "no-store") control.noStore = true;
    else if (directive === "no-cache") control.noCache = true;
    else if (directive.startsWith("max-age=")) {
      const seconds = Number(directive.slice(8));
      if (Number.isInteger(seconds) && seconds >= 0) control.maxAge = seconds;
    }
  }
  return control;
}

/**
 * An exact-match response cache. The key is a SHA-256 of the request with its JSON normalised
 * (object key order does not matter, array order does), the surface, and the partition. A hit
 * answers from `onRequest`, so no upstream is called; streamed answers are stored as their SSE
 * events and replayed as a stream. Only complete 200 answers are stored, after the response has
 * gone (a stream that broke is never stored). `Cache-Control: no-cache` skips the lookup,
 * `no-store` skips the cache entirely, `max-age=N` accepts only fresher entries.
 */
export function cache(options: CacheOptions): Plugin {
  if (!options || !(typeof options.ttl === "number" && Number.isFinite(options.ttl) && options.ttl > 0)) {
    throw new TypeError("cache: ttl must be a number of seconds > 0");
  }
  const ttlMs = options.ttl * 1000;
  const maxEntryChars = options.maxEntryChars ?? 1024 * 1024;
  const chosen = options.partition ?? "key";
  if (chosen !== "shared" && chosen !== "none" && chosen !== "key" && chosen !== "team") throw new TypeError('cache: partition must be "key", "team" or "shared"');
  const partition = chosen === "none" ? "shared" : chosen;
  const vary = (options.vary ?? []).map((name) => name.toLowerCase());
  const ignore = new Set(options.ignore ?? ["user"]);
  const store = options.store ?? memoryCacheStore({ maxBytes: options.maxBytes });
  const pending = new WeakMap<RequestContext, Pending>();
  let report: (error: unknown, where: string) => void = () => {};
  // One report per outage, not one per request while the store is down.
  let failing = false;
  const storeFailed = (error: unknown): void => {
    if (failing) return;
    failing = true;
    report(error, "cache store");
  };

  function keyFor(ctx: RequestContext): string {
    const principal = ctx.principal;
    // A team and a key id can be the same string: the prefix keeps their partitions apart.
    const owner = partition === "shared" ? "" : partition === "team" && principal?.team != null ? `team:${principal.team}` : `key:${principal?.id ?? ""}`;
    let material = `${ctx.surface}\n${owner}\n`;
    for (const name of vary) material += `${ctx.request.headers.get(name) ?? ""}\n`;
    material += canonicalJson(ctx.body, ignore);
    return `${ctx.surface}:${sha256Hex(material)}`;
  }

  function maybeStore(p: Pending): void {
    if (p.body === null || p.done === null || !p.done.ok) return;
    const entry = encodeEntry({ kind: p.kind, status: 200, provider: p.done.provider, model: p.done.model, createdAt: Date.now(), body: p.body });
    store.set(p.key, entry, ttlMs).then(() => void (failing = false), storeFailed);
  }

  /** Pass a stream through unchanged, keeping a copy of its text until it ends. */
  function tap(body: ReadableStream<Uint8Array>, p: Pending): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text: string | null = "";
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) {
            if (text !== null) {
              p.body = text + decoder.decode();
              maybeStore(p);
            }
            controller.close();
            return;
          }
          if (text !== null) {
            text += decoder.decode(value, { stream: true });
            if (text.length > maxEntryChars) text = null;
          }
          controller.enqueue(value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** A lookup begun early by a limiter's turn (see store-calls.ts). */
  const early = new WeakMap<RequestContext, { key: string; text: Promise<string | null> }>();

  function startEarly(ctx: RequestContext): void {
    if (early.has(ctx) || !isNetworked(store) || ctx.surface === "models" || ctx.body === null) return;
    const control = parseCacheControl(ctx.request.headers.get("cache-control"));
    if (control.noStore || control.noCache) return;
    const key = keyFor(ctx);
    let text: Promise<string | null>;
    try {
      text = store.get(key);
    } catch (error) {
      text = Promise.reject(error);
    }
    // Judged in the cache's own turn; one nobody judges must not be an unhandled rejection.
    text.catch(() => {});
    early.set(ctx, { key, text });
  }

  async function lookup(ctx: RequestContext): Promise<Response | undefined> {
    if (ctx.surface === "models" || ctx.body === null) return undefined;
    const control = parseCacheControl(ctx.request.headers.get("cache-control"));
    if (control.noStore) {
      ctx.vars.cache = "bypass";
      ctx.setResponseHeader("x-switchyard-cache", "bypass");
      return undefined;
    }
    const begun = early.get(ctx);
    early.delete(ctx);
    const key = keyFor(ctx);
    if (!control.noCache) {
      let text: string | null = null;
      try {
        // A plugin between the early start and now may have changed the body: then look up afresh.
        text = begun !== undefined && begun.key === key ? await begun.text : await store.get(key);
        failing = false;
      } catch (error) {
        storeFailed(error);
      }
      const entry = text === null ? null : decodeEntry(text);
      const now = Date.now();
      if (entry !== null && entry.kind === (ctx.stream ? "sse" : "json") && (control.maxAge === undefined || now - entry.createdAt <= control.maxAge * 1000)) {
        ctx.vars.cache = "hit";
        return cachedResponse(entry, now);
      }
    }
    ctx.vars.cache = "miss";
    ctx.setResponseHeader("x-switchyard-cache", "miss");
    pending.set(ctx, { key, kind: ctx.stream ? "sse" : "json", body: null, done: null });
    return undefined;
  }

  const plugin = definePlugin({
    name: "cache",
    setup(app) {
      report = app.report;
      if (options.required === true) requireStore(app, "cache", store);
    },
    close() {
      return store.close?.();
    },
    describe() {
      return { cache: { ttl: options.ttl, partition, vary } };
    },

    onRequest: {
      // After every other onRequest hook: auth, limits, budgets and region checks decide first,
      // so a cached answer never reaches a caller they would refuse.
      order: "post",
      handler: lookup,
    },

    onResponse(ctx, response) {
      const p = pending.get(ctx);
      if (p === undefined || response.status !== 200 || response.body === null) return undefined;
      // A whole answer is read from the request's response record when it completes; only a
      // stream needs a tap, since its text exists nowhere else.
      if (!(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) return undefined;
      p.kind = "sse";
      return new Response(tap(response.body, p), response);
    },

    onComplete(ctx) {
      const p = pending.get(ctx);
      if (p === undefined) return;
      pending.delete(ctx);
      const text = ctx.response.text;
      if (p.kind === "json" && text !== null && text.length <= maxEntryChars) p.body = text;
      p.done = { ok: ctx.error === null && ctx.status === 200, provider: ctx.served?.provider ?? null, model: ctx.served?.model ?? null };
      maybeStore(p);
    },
  });
  offerEarlyStart(plugin, startEarly);
  return plugin;
}
