/**
 * The `postgres` driver (3.4.9, the latest) can throw from a `setImmediate` after a connection
 * drops: its deferred write finds the socket already gone (porsager/postgres#1154, #1208). Thrown
 * there, the TypeError reaches no caller and would end the whole gateway over a log sink or key
 * store losing its database. While a Postgres sink or key store is open, that one error is caught
 * here and its owner is told to start over with a new client (the old one's connection can no
 * longer flush); any other uncaught exception ends the process as it would have without this
 * handler.
 */

type Uncaught = (error: unknown) => void;
interface ProcessLike {
  on(event: "uncaughtException", listener: Uncaught): void;
  off(event: "uncaughtException", listener: Uncaught): void;
  listenerCount(event: "uncaughtException"): number;
  exit(code: number): never;
}

const resets = new Set<() => void>();

/**
 * The driver's own crash on a dropped connection: a TypeError thrown first in its connection code
 * (the deferred write above, or its query-error path on a connection that never opened,
 * porsager/postgres#896), on Node and Deno (V8) and Bun (JSC).
 */
export function isDroppedSocketWrite(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const frame = (error.stack ?? "").split("\n").find((line) => /^\s*at /.test(line)) ?? "";
  return /postgres[\\/]src[\\/]connection\.js/.test(frame);
}

/**
 * What the handler does first with an uncaught exception: when it is the driver's crash, every
 * open Postgres client's owner is told to start over, and true. Tests call it with a made-up crash.
 */
export function recoverFromDroppedSocketWrite(error: unknown): boolean {
  if (!isDroppedSocketWrite(error)) return false;
  for (const reset of resets) reset();
  return true;
}

function onUncaught(error: unknown): void {
  if (recoverFromDroppedSocketWrite(error)) return;
  // Someone else listens too: the decision is theirs, as it was before this handler.
  if (processLike()!.listenerCount("uncaughtException") > 1) return;
  console.error(error);
  processLike()!.exit(1);
}

function processLike(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** Call `reset` when the driver crashes that way; the returned function stops it. */
export function onDroppedSocketWrite(reset: () => void): () => void {
  const proc = processLike();
  if (proc === undefined) return () => {};
  if (resets.size === 0) proc.on("uncaughtException", onUncaught);
  resets.add(reset);
  return () => {
    if (!resets.delete(reset) || resets.size > 0) return;
    proc.off("uncaughtException", onUncaught);
  };
}
