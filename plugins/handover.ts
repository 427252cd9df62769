import type { CounterStore } from "../core/counter-store.ts";
import type { Plugin, SetupContext } from "../core/plugin.ts";

/**
 * How built-in plugins carry state across a reload. A plugin offers its state under a kind when
 * it is created; its successor (the plugin of the same name in the new gateway, `app.previous`)
 * takes it during setup when the kinds match. The state lives in this module, not on the plugin
 * objects, so nothing of it is public API.
 */
const offered = new WeakMap<Plugin, { kind: string; state: unknown }>();

export function offerState<S>(plugin: Plugin, kind: string, state: S): void {
  offered.set(plugin, { kind, state });
}

/** The state the plugin this one replaces offered under `kind`, if it did. */
export function previousState<S>(app: SetupContext, kind: string): S | undefined {
  const previous = app.previous;
  if (previous === undefined) return undefined;
  const entry = offered.get(previous);
  return entry !== undefined && entry.kind === kind ? (entry.state as S) : undefined;
}

/**
 * Shared resources (a memory store two plugins use, or one a successor took over) are closed
 * by the last plugin that lets go of them, not the first.
 */
const holders = new WeakMap<object, number>();

export function hold(resource: object): void {
  holders.set(resource, (holders.get(resource) ?? 0) + 1);
}

/** Let go of a resource held with `hold`; `close` runs when nobody holds it any more. */
export async function release(resource: object, close: () => unknown): Promise<void> {
  const count = (holders.get(resource) ?? 1) - 1;
  if (count > 0) {
    holders.set(resource, count);
    return;
  }
  holders.delete(resource);
  await close();
}

/**
 * A plugin's hold on its store: taken at setup, given back at close. A plugin closed without a
 * setup (its gateway failed to build) closes the store only when nobody else holds it.
 */
export function storeHold<S extends { close?(): unknown }>(): { take(store: S): void; close(store: S): Promise<void> } {
  let held: S | null = null;
  return {
    take(store) {
      if (held === store) return;
      hold(store);
      held = store;
    },
    async close(store) {
      if (held !== null) {
        const resource = held;
        held = null;
        await release(resource, () => resource.close?.());
      } else if (!holders.has(store)) await store.close?.();
    },
  };
}

const STORE_STATE = "counter-store";

/** Offer a limiter's or budget's store to its successor (see `carriedStore`). */
export function offerStore(plugin: Plugin, store: () => CounterStore): void {
  offerState(plugin, STORE_STATE, store);
}

/**
 * On a reload, a plugin that counts in process memory keeps counting where its predecessor of
 * the same name left off: it takes the previous memory store instead of its new, empty one.
 * Shared stores (Redis) need nothing: the counts are there already.
 */
export function carriedStore(app: SetupContext, store: CounterStore): CounterStore {
  const previous = previousState<() => CounterStore>(app, STORE_STATE)?.();
  return previous !== undefined && previous.kind === "memory" && store.kind === "memory" ? previous : store;
}
