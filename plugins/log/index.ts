import { type LogBodyOptions, logRecordOf } from "../../core/log-record.ts";
import { LogQueue, type LogQueueOptions, type LogQueueStats } from "../../core/log-queue.ts";
import type { LogSink } from "../../core/log-sink.ts";
import { definePlugin, type Plugin } from "../../core/plugin.ts";
import type { LogApi } from "../../core/plugin-api.ts";
import { offerState, previousState } from "../handover.ts";

export interface LogOptions {
  /** Where records go. Each sink gets its own queue, so a slow one never holds up another. */
  sinks: LogSink[];
  /** Bounds and timings of each sink's queue. */
  queue?: LogQueueOptions;
  /** Log request and JSON response bodies, redacted, cut at `maxBytes` (4096). Off by default. */
  bodies?: boolean | LogBodyOptions;
  /**
   * Sinks (by name, or `true` for all) the gateway needs: `/ready` fails while their writes are
   * failing, so a load balancer can move traffic while records would be lost.
   */
  required?: boolean | string[];
  /** Plugin name; must be unique. Default `log`. */
  name?: string;
}

export interface LogPlugin extends Plugin {
  /** What metrics and the CLI read: the queues' stats and where records go. */
  readonly api: { readonly log: LogApi };
  /** All of the plugin's queues together (sums over sinks); the same as `api.log.stats()`. */
  logStats(): LogQueueStats;
  /** Each sink's queue, by sink name. */
  sinkStats(): Record<string, LogQueueStats>;
  /** Write out everything queued now. */
  flush(): Promise<void>;
}

/** Used when shutdown is called without a deadline. */
const DEFAULT_CLOSE_MS = 10_000;

/**
 * One log record per request, to every sink, off the request path: `onComplete` (which runs after
 * the response has gone) builds a redacted record and queues it, and never waits. See
 * `plugins/log/SCHEMA.md` for the record.
 */
function readerOf(sinks: readonly LogSink[]): LogApi["reader"] {
  const sink = sinks.find((s) => s.reader !== undefined && typeof s.reader.find === "function");
  return sink === undefined ? null : Object.freeze({ sink: sink.name, reader: sink.reader! });
}

export function log(options: LogOptions): LogPlugin {
  if (!options || !Array.isArray(options.sinks) || options.sinks.length === 0) throw new TypeError("log: options.sinks must list at least one sink");
  const names = new Set<string>();
  for (const sink of options.sinks) {
    if (sink === null || typeof sink !== "object" || typeof sink.write !== "function" || typeof sink.name !== "string") {
      throw new TypeError("log: every sink needs a name and a write(batch, signal) method");
    }
    if (names.has(sink.name)) throw new TypeError(`log: two sinks are named "${sink.name}"; give one another name`);
    names.add(sink.name);
  }
  const required = options.required ?? false;
  if (Array.isArray(required)) {
    for (const name of required) if (!names.has(name)) throw new TypeError(`log: required sink "${name}" is not among the sinks (${[...names].join(", ")})`);
  }
  const recordOptions = { bodies: options.bodies };
  let report: (error: unknown) => void = () => {};
  const queues = options.sinks.map((sink) => new LogQueue(sink, options.queue, (error) => report(error)));
  const name = options.name ?? "log";

  const state: LogState = { queues, successor: null, closing: false };
  const api: LogApi = {
    stats() {
      const total: LogQueueStats = { queued: 0, dropped: 0, written: 0, failedWrites: 0, capacity: 0 };
      for (const queue of queues) {
        const s = queue.stats();
        total.queued += s.queued;
        total.dropped += s.dropped;
        total.written += s.written;
        total.failedWrites += s.failedWrites;
        total.capacity += s.capacity;
      }
      return total;
    },
    sinks() {
      const out: Record<string, LogQueueStats> = {};
      for (const queue of queues) out[queue.sink.name] = queue.stats();
      return out;
    },
    targets: Object.freeze(queues.map((q) => q.sink.target ?? q.sink.name)),
    reader: readerOf(options.sinks),
  };

  const plugin = definePlugin({
    name,
    setup(app) {
      report = (error) => app.report(error, `plugin "${name}" sink`);
      // On a reload, the replaced plugin hands its unwritten records to this one when it retires.
      const predecessor = previousState<LogState>(app, LOG_STATE);
      if (predecessor !== undefined) predecessor.successor = state;
      for (const queue of queues) {
        if (required === true || (Array.isArray(required) && required.includes(queue.sink.name))) {
          app.addReadyCheck(`log sink ${queue.sink.name}`, () => {
            queue.probe();
            return queue.consecutiveFailures === 0;
          });
        }
      }
    },
    onComplete(ctx) {
      const record = logRecordOf(ctx, recordOptions);
      for (const queue of queues) queue.push(record);
    },
    async close(closing) {
      const timeoutMs = closing?.timeoutMs ?? DEFAULT_CLOSE_MS;
      // Marked first, so a predecessor still draining hands its records past this plugin.
      state.closing = true;
      const next = liveSuccessor(state);
      await Promise.all(
        queues.map((queue) => {
          const heir = next?.queues.find((q) => q.sink.name === queue.sink.name);
          return heir === undefined ? queue.close(timeoutMs) : queue.handOver(heir, timeoutMs);
        }),
      );
    },
    describe: () => ({ sinks: queues.map((q) => q.sink.name), targets: api.targets, bodies: options.bodies ?? false, required }),
    api: { log: api },
    logStats: api.stats,
    sinkStats: api.sinks,
    flush: async () => {
      await Promise.all(queues.map((queue) => queue.flush()));
    },
  });
  offerState(plugin, LOG_STATE, state);
  return plugin;
}

/** What a log plugin shares with the one that replaces it on a reload. */
interface LogState {
  readonly queues: readonly LogQueue[];
  /** The plugin that replaced this one, until it closes. */
  successor: LogState | null;
  closing: boolean;
}

const LOG_STATE = "log-queues";

/** The newest plugin in the line of successors that still takes records. */
function liveSuccessor(state: LogState): LogState | null {
  let next = state.successor;
  while (next !== null && next.closing) next = next.successor;
  return next;
}
