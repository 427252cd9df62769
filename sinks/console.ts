import type { LogSink } from "../core/log-sink.ts";
import { toJsonLines } from "./json-lines.ts";

export interface ConsoleSinkOptions {
  /** Default `console`. */
  name?: string;
  /** Where the lines of a batch go; default `console.log` (stdout on every runtime). */
  write?: (text: string) => void;
}

/** Each record as one JSON line on stdout: for platforms that collect a container's stdout. */
export function consoleSink(options: ConsoleSinkOptions = {}): LogSink {
  const write = options.write ?? ((text: string) => console.log(text));
  return {
    name: options.name ?? "console",
    target: options.write === undefined ? "stdout" : "a function",
    write(batch) {
      if (batch.length > 0) write(toJsonLines(batch).slice(0, -1));
      return Promise.resolve();
    },
  };
}
