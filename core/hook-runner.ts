import { GatewayError, internalError } from "./errors.ts";
import type { RequestContext } from "./context.ts";
import type { HookName } from "./plugin.ts";

/** A hook as the request path sees it: pre-sorted, filter pre-compiled, owner known for errors. */
export interface CompiledHook<F> {
  readonly fn: F;
  readonly plugin: string;
  readonly hook: HookName;
  /** null when the hook runs for every request: the common case costs one comparison. */
  readonly filter: ((ctx: RequestContext) => boolean) | null;
}

type AnyFn = (...args: any[]) => any;
type Hooks = readonly CompiledHook<AnyFn>[];

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Name the plugin and hook on whatever a hook threw, so the operator can find the culprit. */
export function attributeError(error: unknown, hook: CompiledHook<AnyFn>): GatewayError {
  if (error instanceof GatewayError) {
    if (error.plugin === undefined) {
      error.plugin = hook.plugin;
      error.hook = hook.hook;
    }
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = internalError(`Plugin "${hook.plugin}" failed in ${hook.hook}: ${message}`, error);
  wrapped.plugin = hook.plugin;
  wrapped.hook = hook.hook;
  return wrapped;
}

/** What `call` returns for a hook whose filter excludes this request. */
const SKIPPED: unique symbol = Symbol("skipped");

/**
 * The one place a hook is called: the filter is applied, a synchronous result comes back as it
 * is, a thenable becomes a real Promise (so callers test `instanceof Promise`), and whatever the
 * hook throws or rejects with names the plugin and the hook.
 */
function call(hook: CompiledHook<AnyFn>, ctx: RequestContext, a: unknown, b: unknown): unknown {
  if (hook.filter !== null && !hook.filter(ctx)) return SKIPPED;
  let result: unknown;
  try {
    result = hook.fn(ctx, a, b);
  } catch (error) {
    throw attributeError(error, hook);
  }
  if (!isThenable(result)) return result;
  return Promise.resolve(result).catch((error) => {
    throw attributeError(error, hook);
  });
}

function isAnswer(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return !Array.isArray(value) || value.length > 0;
}

/**
 * `first` hooks (`onRequest`, `route`, `onAttemptError`): run until one answers (a non-null
 * value; an empty array is no answer).
 */
export function runFirst<R>(hooks: Hooks, ctx: RequestContext, a?: unknown, b?: unknown, start = 0): R | undefined | Promise<R | undefined> {
  for (let i = start; i < hooks.length; i++) {
    const result = call(hooks[i], ctx, a, b);
    if (result === SKIPPED) continue;
    if (result instanceof Promise) return result.then((value) => (isAnswer(value) ? (value as R) : runFirst<R>(hooks, ctx, a, b, i + 1)));
    if (isAnswer(result)) return result as R;
  }
  return undefined;
}

/** `sequential` hooks (`onAttempt`): every hook in turn for its effect; `"skip"` ends the run. */
export function runSequential(hooks: Hooks, ctx: RequestContext, a?: unknown, start = 0): void | "skip" | Promise<void | "skip"> {
  for (let i = start; i < hooks.length; i++) {
    const result = call(hooks[i], ctx, a, undefined);
    if (result instanceof Promise) return result.then((value) => (value === "skip" ? "skip" : runSequential(hooks, ctx, a, i + 1)));
    if (result === "skip") return "skip";
  }
}

/**
 * `transform` hooks (`onResponse`, `filterModels`): a value threaded through every hook; one
 * returning something replaces it. The array is already in the order the hook requires.
 */
export function runTransform<T>(hooks: Hooks, ctx: RequestContext, value: T, start = 0): T | Promise<T> {
  for (let i = start; i < hooks.length; i++) {
    const result = call(hooks[i], ctx, value, undefined);
    if (result === SKIPPED) continue;
    if (result instanceof Promise) return result.then((resolved) => runTransform<T>(hooks, ctx, resolved == null ? value : (resolved as T), i + 1));
    if (result != null) value = result as T;
  }
  return value;
}

/**
 * `parallel` hooks (`onComplete`): every hook is called in order (a synchronous hook's effects
 * are visible to the next), their promises awaited together. A failure is reported with its
 * plugin and hook and never stops the others: the response has already gone.
 */
export function runParallel(hooks: Hooks, ctx: RequestContext, report: (error: GatewayError) => void): Promise<void> {
  return runParallelPending(hooks, ctx, report) ?? Promise.resolve();
}

/** `runParallel`, or null when every hook finished synchronously: no promise to make or wait on. */
export function runParallelPending(hooks: Hooks, ctx: RequestContext, report: (error: GatewayError) => void): Promise<void> | null {
  let pending: Promise<unknown>[] | null = null;
  for (let i = 0; i < hooks.length; i++) {
    try {
      const result = call(hooks[i], ctx, undefined, undefined);
      if (result instanceof Promise) (pending ??= []).push(result.catch(report));
    } catch (error) {
      report(attributeError(error, hooks[i]));
    }
  }
  return pending === null ? null : Promise.all(pending).then(() => undefined);
}

/**
 * `onChunk`, the stream's transform: one event through every hook, into `out`. A hook returning
 * an array replaces the event with those (each goes on through the hooks after it; `[]` drops
 * it). Synchronous by contract: a hook returning a promise is a plugin bug, reported as one.
 */
export function runChunk<E>(hooks: Hooks, ctx: RequestContext, event: E, out: E[], start = 0): void {
  for (let i = start; i < hooks.length; i++) {
    const result = call(hooks[i], ctx, event, undefined);
    if (result === SKIPPED || result == null) continue;
    if (result instanceof Promise) {
      result.catch(() => {});
      throw attributeError(new TypeError("onChunk must return synchronously (it runs for every stream event)"), hooks[i]);
    }
    if (Array.isArray(result)) {
      for (const next of result as E[]) runChunk(hooks, ctx, next, out, i + 1);
      return;
    }
    event = result as E;
  }
  out.push(event);
}
