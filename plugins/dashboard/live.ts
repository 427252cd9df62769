const encoder = new TextEncoder();

/**
 * Server-sent events to the dashboards watching. One timer for all of them, running only while
 * at least one is connected, so a gateway no one watches computes nothing: `frame()` (the
 * aggregates) is called once per tick and its text sent to every client.
 */
export class LiveFeed {
  private readonly clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly frame: () => unknown, private readonly everyMs: number, private readonly maxClients: number, private readonly report: (error: unknown) => void) {}

  get watching(): number {
    return this.clients.size;
  }

  /** A new event stream, or null when `maxClients` are connected already. */
  connect(signal: AbortSignal): ReadableStream<Uint8Array> | null {
    if (this.clients.size >= this.maxClients) return null;
    let own: ReadableStreamDefaultController<Uint8Array> | undefined;
    const leave = (): void => {
      if (own !== undefined) this.leave(own);
    };
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        own = controller;
        this.clients.add(controller);
        // The first frame at once, so a page shows numbers without waiting a tick.
        this.send(controller, this.render());
        if (this.timer === undefined) {
          this.timer = setInterval(() => this.tick(), this.everyMs);
          (this.timer as { unref?: () => void }).unref?.();
        }
        signal.addEventListener("abort", leave, { once: true });
      },
      cancel: leave,
    });
  }

  private render(): Uint8Array | null {
    try {
      return encoder.encode(`event: tick\ndata: ${JSON.stringify(this.frame())}\n\n`);
    } catch (error) {
      this.report(error);
      return null;
    }
  }

  private send(controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array | null): void {
    if (bytes === null) return;
    // A client that stopped reading is let go rather than buffered for.
    if ((controller.desiredSize ?? 0) < -1_000_000) return this.leave(controller, true);
    try {
      controller.enqueue(bytes);
    } catch {
      this.leave(controller);
    }
  }

  private tick(): void {
    const bytes = this.render();
    for (const controller of this.clients) this.send(controller, bytes);
  }

  private leave(controller: ReadableStreamDefaultController<Uint8Array>, close = false): void {
    if (!this.clients.delete(controller)) return;
    if (close) {
      try {
        controller.close();
      } catch {
        // already closed
      }
    }
    if (this.clients.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** End every stream and stop the timer (shutdown). */
  close(): void {
    for (const controller of [...this.clients]) this.leave(controller, true);
  }
}
