import type { CounterStore, LeaseDecision, RateDecision } from "../../core/counter-store.ts";
import { StoreUnavailableError } from "../../core/counter-store.ts";
import { type MemoryStore, type MemoryStoreOptions, memoryStore, SHARED_MEMORY_STORE } from "../../stores/memory.ts";
import type { PrimaryMessage, StoreOp, WorkerMessage } from "./messages.ts";

/** An answer the primary owes longer than this fails the operation (the plugin's policy applies). */
const ANSWER_TIMEOUT_MS = 2_000;

/**
 * In a worker: every `memoryStore()` the config makes is this one view of the store the primary
 * holds, so limits and budgets count once for the whole server. Operations made in one turn of
 * the event loop go to the primary in one message.
 */
export function installSharedCounters(send: (message: WorkerMessage) => void): { receive(message: PrimaryMessage): void } {
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }>();
  let batch: [number, StoreOp][] = [];
  let nextId = 0;
  let maxKeys = 0;

  const flush = (): void => {
    const sending = batch;
    batch = [];
    send({ sy: "store", maxKeys, batch: sending });
  };

  function ask<T>(op: StoreOp): Promise<T> {
    const id = ++nextId;
    if (batch.length === 0) queueMicrotask(flush);
    batch.push([id, op]);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new StoreUnavailableError("memory", "the primary process did not answer in time"));
      }, ANSWER_TIMEOUT_MS);
      (timer as { unref?: () => void }).unref?.();
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
    });
  }

  function view(options: MemoryStoreOptions = {}): MemoryStore {
    maxKeys = Math.max(maxKeys, options.maxKeys ?? 100_000);
    const store: CounterStore & { readonly size: number; close(): void } = {
      kind: "memory",
      /** Not known in a worker: the primary holds the keys. */
      size: -1,
      consume: (key, rule, cost) => ask<RateDecision>({ op: "consume", key, limit: rule.limit, windowMs: rule.windowMs, cost }),
      adjust: (key, rule, delta) => ask<void>({ op: "adjust", key, limit: rule.limit, windowMs: rule.windowMs, delta }),
      increment: (key, amount, ttlMs) => ask<number>({ op: "increment", key, amount, ttlMs }),
      get: (key) => ask<number>({ op: "get", key }),
      acquire: (key, id, limit, leaseMs) => ask<LeaseDecision>({ op: "acquire", key, id, limit, leaseMs }),
      release: (key, id) => ask<void>({ op: "release", key, id }),
      // The counts belong to the server, not to one config: a reload or a worker's exit keeps them.
      close() {},
    };
    // The type promises synchronous answers, which only one process can give; callers handle both.
    return store as unknown as MemoryStore;
  }

  (globalThis as Record<symbol, unknown>)[SHARED_MEMORY_STORE] = view;
  return {
    receive(message) {
      if (message.sy !== "store-result") return;
      for (const [id, ok, value] of message.results) {
        const entry = waiting.get(id);
        if (entry === undefined) continue;
        waiting.delete(id);
        clearTimeout(entry.timer);
        if (ok) entry.resolve(value);
        else entry.reject(new StoreUnavailableError("memory", String(value)));
      }
    },
  };
}

/** In the primary: the one memory store every worker's limits and budgets count in. */
export function sharedCounters(): { answer(message: Extract<WorkerMessage, { sy: "store" }>): PrimaryMessage } {
  let store: MemoryStore | null = null;
  const run = (s: MemoryStore, op: StoreOp): unknown => {
    switch (op.op) {
      case "consume":
        return s.consume(op.key, { limit: op.limit, windowMs: op.windowMs }, op.cost);
      case "adjust":
        return s.adjust(op.key, { limit: op.limit, windowMs: op.windowMs }, op.delta);
      case "increment":
        return s.increment(op.key, op.amount, op.ttlMs ?? undefined);
      case "get":
        return s.get(op.key);
      case "acquire":
        return s.acquire(op.key, op.id, op.limit, op.leaseMs);
      case "release":
        return s.release(op.key, op.id);
    }
  };
  return {
    answer(message) {
      store ??= memoryStore({ maxKeys: message.maxKeys || 100_000 });
      const results = message.batch.map(([id, op]): readonly [number, boolean, unknown] => {
        try {
          return [id, true, run(store!, op) ?? null];
        } catch (error) {
          return [id, false, (error as Error).message];
        }
      });
      return { sy: "store-result", results };
    },
  };
}
