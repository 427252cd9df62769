import type { FaultClass } from "./errors.ts";
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

/** A stretch of time cut into equal buckets, for charts of what was stored. */
export interface LogHistoryQuery {
  /** Arrival times from `from` (inclusive) to `to` (exclusive), ms since epoch. */
  from: number;
  to: number;
  /** Each bucket's length in ms; a reader may refuse more than `MAX_HISTORY_BUCKETS` buckets. */
  bucketMs: number;
}

/** Most buckets one history query may ask for: a chart has no use for more, a database no reason to make them. */
export const MAX_HISTORY_BUCKETS = 1_000;

/** What the requests that arrived within one bucket add up to (the `models` listing is left out). */
export interface LogHistoryBucket {
  /** The bucket's start, ms since epoch: `from + n × bucketMs`. */
  start: number;
  requests: number;
  /** Failed requests per fault class. */
  faults: Record<FaultClass, number>;
  /** Percentiles of the whole request's time, ms. */
  totalMs: { p50: number; p95: number; p99: number };
  /** Percentiles of the time to the first upstream byte, ms; null when no request got one. */
  firstByteMs: { p50: number; p95: number; p99: number } | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Reads records back from where a sink stored them. */
export interface LogReader {
  /** Records matching `query`, newest first, at most `limit`. */
  find(query: LogQuery, limit: number, signal?: AbortSignal): Promise<LogRecord[]>;
  /**
   * Totals per time bucket, oldest first, only buckets that hold a request. Optional: the
   * dashboard's longer chart ranges need it, its request search does not.
   */
  history?(query: LogHistoryQuery, signal?: AbortSignal): Promise<LogHistoryBucket[]>;
}
