/**
 * Work after a response (the gateway's `onComplete` batches, see core/completions.ts) on the turn
 * right after I/O. Node, Deno and Bun all have `setImmediate`; core may not name it, so the
 * runtime side hands it over.
 */
export function afterResponse(task: () => void): void {
  setImmediate(task);
}
