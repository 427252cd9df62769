/**
 * A prototype for objects that pass `instanceof` a web class (Request, Response, Headers) while
 * answering the members the gateway uses from plain state, and building the real object only for
 * a caller that reaches for anything else. On Node, constructing those classes costs more than
 * the rest of a small request's path; on Deno and Bun they are native and this is never used for
 * requests.
 *
 * `own` holds the members served from state; every other member of `base` is forwarded to the
 * object `real(self)` returns (made once by the caller's own bookkeeping).
 */
export function lazyPrototype(base: object, own: PropertyDescriptorMap, real: (self: never) => object): object {
  const prototype: object = Object.create(base, own);
  const forward = real as (self: unknown) => Record<PropertyKey, unknown>;
  for (const name of Reflect.ownKeys(base)) {
    if (name === "constructor" || name in own) continue;
    const descriptor = Object.getOwnPropertyDescriptor(base, name)!;
    if (typeof descriptor.value === "function") {
      Object.defineProperty(prototype, name, {
        value(this: unknown, ...args: unknown[]) {
          const target = forward(this);
          return (target[name] as (...a: unknown[]) => unknown).apply(target, args);
        },
      });
    } else if (descriptor.get !== undefined) {
      Object.defineProperty(prototype, name, {
        get(this: unknown) {
          return forward(this)[name];
        },
      });
    }
  }
  return prototype;
}

/**
 * Makes objects on `prototype` that keep their state under `key`. A constructor with that
 * prototype, because `Object.create` plus `Object.defineProperty` per object costs about ten
 * times as much (a runtime call for the definition) on a path that makes several per request.
 */
export function lazyMaker<T>(prototype: object, key: symbol): (state: unknown) => T {
  function Lazy(this: Record<symbol, unknown>, state: unknown): void {
    this[key] = state;
  }
  Lazy.prototype = prototype;
  return (state) => new (Lazy as unknown as new (state: unknown) => T)(state);
}
