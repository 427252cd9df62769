import type { LogRecord } from "../../core/log-record.ts";
import type { LogQuery } from "../../core/log-sink.ts";

/** One row of the list: enough to scan and filter, the detail comes by id. */
export interface RequestSummary {
  id: string;
  time: string;
  surface: string;
  key: string | null;
  team: string | null;
  model: string | null;
  provider: string | null;
  servedModel: string | null;
  status: number;
  fault: string | null;
  attempts: number;
  totalMs: number;
  costUsd: number | null;
  cache: string | null;
}

function matches(record: LogRecord, filter: LogQuery): boolean {
  if (filter.id !== undefined && record.id !== filter.id) return false;
  if (filter.key !== undefined && record.principal?.id !== filter.key) return false;
  if (filter.team !== undefined && record.principal?.team !== filter.team) return false;
  if (filter.model !== undefined && record.requested.model !== filter.model && record.served?.model !== filter.model) return false;
  if (filter.provider !== undefined && !record.attempts.some((a) => a.provider === filter.provider)) return false;
  if (filter.status !== undefined) {
    const wanted = filter.status;
    const status = String(record.status);
    if (/^[1-5]xx$/i.test(wanted) ? status[0] !== wanted[0] : status !== wanted) return false;
  }
  if (filter.fault !== undefined && (record.error?.fault ?? "none") !== filter.fault) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const time = Date.parse(record.time);
    if (filter.since !== undefined && time < filter.since) return false;
    if (filter.until !== undefined && time > filter.until) return false;
  }
  return true;
}

export function summarize(record: LogRecord): RequestSummary {
  return {
    id: record.id,
    time: record.time,
    surface: record.surface,
    key: record.principal?.id ?? null,
    team: record.principal?.team ?? null,
    model: record.requested.model,
    provider: record.served?.provider ?? record.attempts[record.attempts.length - 1]?.provider ?? null,
    servedModel: record.served?.model ?? null,
    status: record.status,
    fault: record.error?.fault ?? null,
    attempts: record.attempts.length,
    totalMs: record.timings.totalMs,
    costUsd: record.costUsd,
    cache: record.cache,
  };
}

/** The last `capacity` requests' log records, overwritten oldest first. */
export class RecentRequests {
  private readonly ring: (LogRecord | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  add(record: LogRecord): void {
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first, at most `limit`, those matching `filter`. */
  find(filter: LogQuery, limit: number): LogRecord[] {
    const out: LogRecord[] = [];
    for (let n = 1; n <= this.capacity && out.length < limit; n++) {
      const record = this.ring[(this.next - n + this.capacity) % this.capacity];
      if (record === undefined) break;
      if (matches(record, filter)) out.push(record);
    }
    return out;
  }

  get(id: string): LogRecord | undefined {
    return this.find({ id }, 1)[0];
  }
}
