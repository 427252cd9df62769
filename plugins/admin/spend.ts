import type { RequestContext } from "../../core/context.ts";
import type { KeyStore, SpendRow } from "../../core/key-store.ts";
import { hourOf, spendKey } from "../../stores/key-set.ts";

interface Sum {
  hour: string;
  keyId: string;
  team: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * Spend added up in memory per hour, key, team and model, and written to the key store on a
 * timer, off the request path. Rows that could not be written (the store is down) are kept and
 * added to the next write, up to `maxRows`; past it, new combinations are counted as dropped.
 */
export class SpendRecorder {
  private pending = new Map<string, Sum>();
  private writing: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  dropped = 0;
  failedWrites = 0;

  constructor(
    private store: KeyStore,
    private readonly flushMs: number,
    private readonly maxRows: number,
  ) {}

  /** Rows added up and not yet written. */
  get pendingRows(): number {
    return this.pending.size;
  }

  /** The store to write to from now on (a reload that carried the old one over keeps it). */
  use(store: KeyStore): void {
    this.store = store;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => {}), this.flushMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  record(ctx: RequestContext): void {
    if (ctx.surface === "models") return;
    const cost = ctx.vars.costUsd;
    const usage = ctx.usage;
    if (usage === null && typeof cost !== "number") return;
    const served = ctx.served;
    const row = {
      hour: hourOf(ctx.receivedAt),
      keyId: ctx.principal?.id ?? "",
      team: ctx.principal?.team ?? "",
      model: served === null ? ctx.model : `${served.provider}/${served.model}`,
    };
    const key = `${row.hour}\u0001${row.keyId}\u0001${row.team}\u0001${row.model}`;
    let sum = this.pending.get(key);
    if (sum === undefined) {
      if (this.pending.size >= this.maxRows) {
        this.dropped++;
        return;
      }
      this.pending.set(key, (sum = { ...row, requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }));
    }
    sum.requests++;
    sum.inputTokens += usage?.inputTokens ?? 0;
    sum.outputTokens += usage?.outputTokens ?? 0;
    sum.costUsd += typeof cost === "number" ? cost : 0;
  }

  /** Write what has been added up; rows a failed write held are kept for the next one. */
  flush(): Promise<void> {
    this.writing ??= this.write().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const rows: SpendRow[] = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.addSpend(rows);
    } catch (error) {
      this.failedWrites++;
      for (const row of rows) this.keep(row);
      throw error;
    }
  }

  private keep(row: SpendRow): void {
    const key = spendKey(row);
    const sum = this.pending.get(key);
    if (sum !== undefined) {
      sum.requests += row.requests;
      sum.inputTokens += row.inputTokens;
      sum.outputTokens += row.outputTokens;
      sum.costUsd += row.costUsd;
    } else if (this.pending.size < this.maxRows) this.pending.set(key, { ...row });
    else this.dropped++;
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.flush().catch(() => {}), expired]).finally(() => clearTimeout(timer));
  }
}
