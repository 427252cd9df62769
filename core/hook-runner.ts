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

function isAnswer(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return !Array.isArray(value) || value.length > 0;
}

/**
 * Run hooks in order until one answers (a non-null value; an empty array is no answer).
 * Stays synchronous until a hook returns a thenable, so a chain of sync hooks costs no promises.
 * Used for `onRequest` (early response), `route` (first plan wins) and `onAttemptError` (first decision wins).
 */
export function runUntilAnswer<R>(
  hooks: readonly CompiledHook<AnyFn>[],
  ctx: RequestContext,
  a?: unknown,
  b?: unknown,
  start = 0,
): R | undefined | Promise<R | undefined> {
  for (let i = start; i < hooks.length; i++) {
    const hook = hooks[i];
    if (hook.filter !== null && !hook.filter(ctx)) continue;
    let result: unknown;
    try {
      result = hook.fn(ctx, a, b);
    } catch (error) {
      throw attributeError(error, hook);
    }
    if (isThenable(result)) {
      const next = i + 1;
      return Promise.resolve(result).then(
        (value) => (isAnswer(value) ? (value as R) : runUntilAnswer<R>(hooks, ctx, a, b, next)),
        (error) => {
          throw attributeError(error, hook);
        },
      );
    }
    if (isAnswer(result)) return result as R;
  }
  return undefined;
}

/**
 * Run every hook in order for its effect (`onAttempt`). A hook returning `"skip"` stops the run
 * and the result is `"skip"`.
 */
export function runEach(
  hooks: readonly CompiledHook<AnyFn>[],
  ctx: RequestContext,
  a?: unknown,
  start = 0,
): void | "skip" | Promise<void | "skip"> {
  for (let i = start; i < hooks.length; i++) {
    const hook = hooks[i];
    if (hook.filter !== null && !hook.filter(ctx)) continue;
    let result: unknown;
    try {
      result = hook.fn(ctx, a);
    } catch (error) {
      throw attributeError(error, hook);
    }
    if (isThenable(result)) {
      const next = i + 1;
      return Promise.resolve(result).then(
        (value) => (value === "skip" ? "skip" : runEach(hooks, ctx, a, next)),
        (error) => {
          throw attributeError(error, hook);
        },
      );
    }
    if (result === "skip") return "skip";
  }
}

/**
 * Thread a value through every hook; a hook returning something replaces it (`onResponse`,
 * `filterModels`). The hooks array is already in the order the kind requires.
 */
export function runTransform<T>(
  hooks: readonly CompiledHook<AnyFn>[],
  ctx: RequestContext,
  value: T,
  start = 0,
): T | Promise<T> {
  for (let i = start; i < hooks.length; i++) {
    const hook = hooks[i];
    if (hook.filter !== null && !hook.filter(ctx)) continue;
    let result: unknown;
    try {
      result = hook.fn(ctx, value);
    } catch (error) {
      throw attributeError(error, hook);
    }
    if (isThenable(result)) {
      const next = i + 1;
      return Promise.resolve(result).then(
        (resolved) => runTransform<T>(hooks, ctx, resolved == null ? value : (resolved as T), next),
        (error) => {
          throw attributeError(error, hook);
        },
      );
    }
    if (result != null) value = result as T;
  }
  return value;
}

/**
 * `onComplete`: every hook runs whatever the others do. A failure is reported with its plugin and
 * hook, counted, and never propagates: the response has already gone.
 */
export async function runIsolated(
  hooks: readonly CompiledHook<AnyFn>[],
  ctx: RequestContext,
  report: (error: GatewayError) => void,
): Promise<void> {
  for (let i = 0; i < hooks.length; i++) {
    const hook = hooks[i];
    try {
      if (hook.filter !== null && !hook.filter(ctx)) continue;
      const result = hook.fn(ctx);
      if (isThenable(result)) await result;
    } catch (error) {
      report(attributeError(error, hook));
    }
  }
}
