/**
 * Log sinks for the `log` plugin, and the contract a community sink implements. Each sink runs on
 * Node, Deno and Bun; `fileSink` needs a file system (`node:fs`, which all three provide).
 */
export { type LogHistoryBucket, type LogHistoryQuery, type LogQuery, type LogReader, type LogSink, MAX_HISTORY_BUCKETS } from "../core/log-sink.ts";
export { LOG_SCHEMA, type LogAttempt, type LogBody, type LogRecord } from "../core/log-record.ts";
export type { LogQueueOptions, LogQueueStats } from "../core/log-queue.ts";
export { consoleSink, type ConsoleSinkOptions } from "./console.ts";
export { fileSink, type FileRotation, type FileSinkOptions } from "./file.ts";
export { httpSink, type HttpSinkOptions } from "./http.ts";
export { postgresSink, type PostgresSinkOptions } from "./postgres.ts";
