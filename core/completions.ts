import type { RequestContext } from "./context.ts";
import type { GatewayError } from "./errors.ts";
import { type CompiledHook, runParallelPending } from "./hook-runner.ts";
import type { OnCompleteHook } from "./plugin.ts";
import { unrefTimer } from "./attempt-guard.ts";

/**
 * Runs `task` once the response being committed has been handed to the runtime: after the
 * current macrotask and its microtasks. The web-standard way is a zero timer; a runtime with a
 * cheaper turn after I/O (`setImmediate` on Node, Deno and Bun) supplies that instead, which at
 * low concurrency saves a timer wake-up per request.
 */
export type AfterResponse = (task: () => void) => void;

const nextTimerTurn: AfterResponse = (task) => void unrefTimer(setTimeout(task, 0));

/**
 * Tracks requests in flight and runs `onComplete` after each response is committed. Completions
 * are batched onto one `afterResponse` turn, so they run after the runtime has written the
 * response and never delay it, and a burst of requests costs one turn, not one each.
 */
export class Completions {
  /** Requests begun and not yet completed (streams count until they end). */
  inFlight = 0;
  /** onComplete hook failures and other reported errors, since start. */
  errors = 0;
  private queue: RequestContext[] = [];
  private scheduled = false;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly hooks: readonly CompiledHook<OnCompleteHook>[] | null,
    private readonly reporter: (error: GatewayError) => void,
    private readonly afterResponse: AfterResponse = nextTimerTurn,
  ) {}

  begin(): void {
    this.inFlight++;
  }

  complete(ctx: RequestContext): void {
    this.inFlight--;
    if (this.hooks !== null) {
      this.queue.push(ctx);
      if (!this.scheduled) {
        this.scheduled = true;
        this.afterResponse(this.flush);
      }
    }
    if (this.idle) this.wake();
  }

  report = (error: GatewayError): void => {
    this.errors++;
    try {
      this.reporter(error);
    } catch {
      // A broken reporter must not take a request down with it.
    }
  };

  get idle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0 && this.running === 0;
  }

  /** Resolve true once nothing is in flight or pending, false if the deadline passes first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.idle) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = unrefTimer(setTimeout(() => resolve(this.idle), timeoutMs));
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const hooks = this.hooks!;
    for (const ctx of batch) {
      // Most onComplete hooks finish synchronously: only those still running are waited on.
      const pending = runParallelPending(hooks, ctx, this.report);
      if (pending === null) continue;
      this.running++;
      pending.then(this.settled);
    }
    if (this.idle) this.wake();
  };

  private readonly settled = (): void => {
    this.running--;
    if (this.idle) this.wake();
  };

  private wake(): void {
    const waiters = this.idleWaiters;
    if (waiters.length === 0) return;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
