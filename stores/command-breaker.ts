/**
 * A circuit breaker for a store's commands. A server that hangs (accepts connections, answers
 * nothing) makes every command wait its full timeout; with several plugins on one store a
 * request would wait for each of them in turn. After `failures` commands in a row fail, the
 * breaker opens: commands fail at once (each plugin applies its fail-open/closed policy) while a
 * probe asks the server, one at a time, every `probeIntervalMs`. The first answer closes it.
 */

export interface BreakerOptions {
  /** Commands failing in a row that open the breaker. Default 3. */
  failures?: number;
  /** Pause between background probes while open. Default 500 ms. */
  probeIntervalMs?: number;
}

export interface BreakerHooks {
  /** One round trip that proves the server answers (a PING on the same connection). */
  probe(): Promise<unknown>;
  /** The breaker opened: the outage began (or its cause is now known to be a hang). */
  onOpen(): void;
  /** A probe or a command succeeded after the breaker opened. */
  onClose(): void;
}

export class CommandBreaker {
  private readonly threshold: number;
  private readonly probeIntervalMs: number;
  private consecutive = 0;
  private opened = false;
  private probing = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Commands refused at once because the breaker was open. */
  shortCircuited = 0;
  /** Times the breaker opened. */
  openings = 0;

  constructor(private readonly hooks: BreakerHooks, options: BreakerOptions = {}) {
    this.threshold = options.failures ?? 3;
    this.probeIntervalMs = options.probeIntervalMs ?? 500;
    if (!(Number.isInteger(this.threshold) && this.threshold > 0)) throw new TypeError("breaker.failures must be a positive integer");
    if (!(Number.isFinite(this.probeIntervalMs) && this.probeIntervalMs > 0)) throw new TypeError("breaker.probeIntervalMs must be a positive number");
  }

  get open(): boolean {
    return this.opened;
  }

  /** True when a command should not be sent (and counts it). */
  refuses(): boolean {
    if (!this.opened) return false;
    this.shortCircuited++;
    return true;
  }

  succeeded(): void {
    this.consecutive = 0;
    if (this.opened) this.shut();
  }

  failed(): void {
    if (this.opened || ++this.consecutive < this.threshold) return;
    this.opened = true;
    this.openings++;
    this.hooks.onOpen();
    this.schedule(0);
  }

  /** Stop probing (the store is closing). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private shut(): void {
    this.opened = false;
    this.consecutive = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.hooks.onClose();
  }

  private schedule(ms: number): void {
    if (this.stopped || this.probing || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runProbe();
    }, ms);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private runProbe(): void {
    if (!this.opened || this.stopped) return;
    this.probing = true;
    let probe: Promise<unknown>;
    try {
      probe = this.hooks.probe();
    } catch (error) {
      probe = Promise.reject(error);
    }
    probe.then(
      () => {
        this.probing = false;
        if (this.opened) this.shut();
      },
      () => {
        this.probing = false;
        this.schedule(this.probeIntervalMs);
      },
    );
  }
}
