import type { LogRecord } from "./log-record.ts";

/**
 * Where log records go: a file, a collector, a database. A sink never sees the request path: the
 * log queue hands it batches from a timer, one write at a time, and counts what it cannot take.
 *
 * - `write` stores the whole batch or rejects. A rejection (or no answer before the queue's
 *   write timeout, when `signal` aborts) makes the queue retry the same batch with backoff, then
 *   drop it and count the loss. A sink should stop work when `signal` aborts.
 * - `flush` pushes out anything the sink buffers itself; `close` releases files and connections.
 *   Both may be called more than once.
 *
 * `logSinkConformance` in `switchyard/testing` checks a sink against this contract.
 */
export interface LogSink {
  /** Names the sink in errors, stats and ready checks (`file`, `http`, `postgres` …). */
  readonly name: string;
  /**
   * Where records go, for the startup line and `switchyard check`: a path, a URL or a database
   * and table. Never a secret (no password, no token, no query string).
   */
  readonly target?: string;
  write(batch: readonly LogRecord[], signal: AbortSignal): Promise<void>;
  flush?(): Promise<void>;
  close?(): Promise<void>;
  /** A sink that can search what it stored (a database) offers it here; the dashboard reads it. */
  readonly reader?: LogReader;
}

/** What to look for in stored records; every field optional, all given must match. */
export interface LogQuery {
  id?: string;
  key?: string;
  team?: string;
  /** The requested or the served model. */
  model?: string;
  /** The serving provider. */
  provider?: string;
  /** An exact status (`429`) or a class (`5xx`). */
  status?: string;
  /** A fault class, or `none` for requests that succeeded. */
  fault?: string;
  /** Bounds on the arrival time, ms since epoch. */
  since?: number;
  until?: number;
}

/** Reads records back from where a sink stored them, newest first. */
export interface LogReader {
  find(query: LogQuery, limit: number, signal?: AbortSignal): Promise<LogRecord[]>;
}
