/**
 * The part of `AbortSignal` the request path needs: is it aborted, why, and tell me when. A real
 * `AbortSignal` is one; so is `ClientSignal`, which a runtime adapter can hand the core instead
 * of making an AbortController per request. On Node a web AbortSignal is an EventTarget built in
 * JavaScript, and making one per request and having undici listen on it cost about a tenth of the
 * whole request; undici takes any object with `addEventListener`, so the light one goes there and
 * a real signal is made only for the code that asks for one (`ctx.signal`, `request.signal`).
 */
export interface AbortWatch {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Where a runtime adapter's Request keeps its light client signal (see `watchOf`). */
export const CLIENT_WATCH: unique symbol = Symbol.for("switchyard.clientWatch");

/** The client signal of `request`: its adapter's light one when it has one, else `request.signal`. */
export function watchOf(request: Request): AbortWatch {
  return (request as Request & { [CLIENT_WATCH]?: AbortWatch })[CLIENT_WATCH] ?? request.signal;
}

/** A real AbortSignal that follows `watch` (the watch itself when it is one). */
export function realSignal(watch: AbortWatch): AbortSignal {
  return watch instanceof ClientSignal ? watch.signal : (watch as AbortSignal);
}

/**
 * Aborts once, when its owner says the client has gone. Listeners are plain functions in an
 * array; the real AbortSignal is made on first use of `signal` and aborts with it.
 */
export class ClientSignal implements AbortWatch {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;
  private controller: AbortController | null = null;

  addEventListener(type: "abort", listener: () => void): void {
    if (type !== "abort" || this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(type: "abort", listener: () => void): void {
    const listeners = this.listeners;
    if (type !== "abort" || listeners === null) return;
    const at = listeners.indexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

  /** A real AbortSignal for code that needs one, aborted already if the client has gone. */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = null;
    // Listeners run once, like `{ once: true }` ones on a real signal; one that throws does not
    // stop the rest (nor the process: they are the request path's own, undici's and the guard's).
    if (listeners !== null) {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // Nothing to report to: the client has gone.
        }
      }
    }
    this.controller?.abort(reason);
  }
}
