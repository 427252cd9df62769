import type { IncomingHttpHeaders } from "node:http";
import { lazyMaker, lazyPrototype } from "../core/lazy-prototype.ts";

/**
 * A web `Headers` (it passes `instanceof Headers`) over a node:http request's header object.
 * The gateway only looks headers up by name, which the object node:http already parsed answers
 * directly; a real `Headers` (one more copy of every header, validated again) is built once, for
 * the caller that iterates, changes or forwards them. node:http has validated names and values,
 * and lowercased the names, so both views agree.
 */

const STATE = Symbol("switchyard.nodeHeaders");

interface HeadersState {
  readonly raw: IncomingHttpHeaders;
  real: Headers | null;
}

type LazyHeaders = Headers & { [STATE]: HeadersState };

function realHeaders(state: HeadersState): Headers {
  if (state.real === null) {
    const real = new Headers();
    for (const [name, value] of Object.entries(state.raw)) {
      if (value === undefined) continue;
      if (typeof value === "string") real.append(name, value);
      else for (const item of value) real.append(name, item);
    }
    state.real = real;
  }
  return state.real;
}

/** A value as `Headers.get` gives it: repeated fields joined by ", ". */
function lookup(raw: IncomingHttpHeaders, name: string): string | null {
  const value = raw[name] ?? raw[name.toLowerCase()];
  if (typeof value === "string") return value;
  // Array.isArray, not `!== undefined`: a name such as "constructor" finds the object's prototype.
  return Array.isArray(value) ? value.join(", ") : null;
}

const own: PropertyDescriptorMap = {
  get: {
    value(this: LazyHeaders, name: string) {
      const state = this[STATE];
      return state.real !== null ? state.real.get(name) : lookup(state.raw, String(name));
    },
  },
  has: {
    value(this: LazyHeaders, name: string) {
      const state = this[STATE];
      return state.real !== null ? state.real.has(name) : lookup(state.raw, String(name)) !== null;
    },
  },
};

const headersPrototype = lazyPrototype(Headers.prototype, own, (self: LazyHeaders) => realHeaders(self[STATE]));

const makeHeaders = lazyMaker<Headers>(headersPrototype, STATE);

export function lazyHeaders(raw: IncomingHttpHeaders): Headers {
  return makeHeaders({ raw, real: null } satisfies HeadersState);
}
