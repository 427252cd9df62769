import type { LogRecord } from "../core/log-record.ts";

/** A batch as JSON lines, each ending in a newline. */
export function toJsonLines(batch: readonly LogRecord[]): string {
  let text = "";
  for (const record of batch) text += JSON.stringify(record) + "\n";
  return text;
}
