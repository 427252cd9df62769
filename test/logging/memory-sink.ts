import type { LogRecord } from "../../core/log-record.ts";
import type { LogSink } from "../../core/log-sink.ts";

/** A sink that keeps records in an array, for tests; `failing` makes writes reject. */
export function memorySink(name = "memory"): LogSink & { records: LogRecord[]; failing: boolean } {
  const sink = {
    name,
    records: [] as LogRecord[],
    failing: false,
    write(batch: readonly LogRecord[]) {
      if (sink.failing) return Promise.reject(new Error(`${name} is down`));
      sink.records.push(...batch);
      return Promise.resolve();
    },
  };
  return sink;
}
