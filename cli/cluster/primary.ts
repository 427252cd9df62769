import cluster, { type Worker } from "node:cluster";
import { platform } from "node:os";
import type { ConfigStatus, ReloadResult } from "../../core/server-control.ts";
import { VERSION } from "../../core/version.ts";
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from "../../runtimes/serve-options.ts";
import type { RuntimeHost } from "../host.ts";
import { CliError } from "../load-config.ts";
import { reportReload } from "../serve-config.ts";
import { type FileWatcher, watchFiles } from "../watch.ts";
import { mergeMetrics } from "./metrics-merge.ts";
import { isSwitchyardMessage, type PrimaryMessage, WORKER_ENV, WORKER_PORT_ENV, WORKER_VERSION_ENV, type WorkerMessage, WORKERS_ENV } from "./messages.ts";
import { portSharing } from "./port-sharing.ts";
import { sharedCounters } from "./shared-counters.ts";

export interface PrimaryFlags {
  watch: boolean;
}

/** A worker's reload, metrics or startup answer that is this late counts as missing. */
const WORKER_ANSWER_MS = 120_000;
const METRICS_ANSWER_MS = 5_000;
/** A worker that dies this soon after it started counts toward a crash loop. */
const QUICK_DEATH_MS = 5_000;
const MAX_RESTART_DELAY_MS = 30_000;

interface Slot {
  readonly index: number;
  worker: Worker | null;
  listening: boolean;
  startedAt: number;
  /** Deaths soon after starting, in a row; each doubles the wait before the next start. */
  quickDeaths: number;
}

/**
 * The primary of `switchyard start --workers N`: it forks N workers with `node:cluster` (they
 * share the port as port-sharing.ts says; Bun only on Linux, where SO_REUSEPORT balances), answers for the server as a whole —
 * reloads reach every worker, `/metrics` adds up every worker's figures, one memory store holds
 * the counts of every worker's limits — replaces a worker that dies, and on SIGTERM/SIGINT lets
 * every worker drain before it exits.
 */
export async function runPrimary(host: RuntimeHost, count: number, flags: PrimaryFlags): Promise<null> {
  if (host.name === "bun" && platform() !== "linux") {
    throw new CliError("--workers on Bun needs Linux (Bun's workers share a port through SO_REUSEPORT); run one worker per port, or use Node or Deno");
  }
  const slots: Slot[] = Array.from({ length: count }, (_, i) => ({ index: i + 1, worker: null, listening: false, startedAt: 0, quickDeaths: 0 }));
  const counters = sharedCounters();
  const started = Date.now();
  let status: ConfigStatus = { version: 1, source: "", loadedAt: new Date().toISOString(), reloads: 0, failedReloads: 0, lastReload: null, workers: count };
  let port: number | null = null;
  let stopping = false;
  let asked = 0;
  /** Answers the primary waits for from workers, by id. */
  const waiting = new Map<number, (message: WorkerMessage) => void>();
  let watcher: FileWatcher | null = null;
  let summary = "";
  let notice: string | null = null;
  let url = "";
  let reloading: Promise<ReloadResult> | null = null;
  let nextReload: Promise<ReloadResult> | null = null;

  const live = (): Worker[] => slots.flatMap((s) => (s.worker !== null && s.listening ? [s.worker] : []));
  const tell = (worker: Worker, message: PrimaryMessage): void => {
    if (worker.isConnected()) worker.send(message);
  };

  function askWorker(worker: Worker, message: (id: number) => PrimaryMessage, timeoutMs: number): Promise<WorkerMessage | null> {
    const id = ++asked;
    return new Promise((resolve) => {
      const done = (answer: WorkerMessage | null): void => {
        clearTimeout(timer);
        waiting.delete(id);
        worker.off("exit", gone);
        resolve(answer);
      };
      const gone = (): void => done(null);
      const timer = setTimeout(gone, timeoutMs);
      waiting.set(id, done);
      worker.once("exit", gone);
      tell(worker, message(id));
    });
  }

  async function reloadAll(): Promise<ReloadResult> {
    const begun = performance.now();
    const version = status.version + 1;
    const workers = live();
    const answers = await Promise.all(workers.map((w) => askWorker(w, (id) => ({ sy: "reload", id, version }), WORKER_ANSWER_MS)));
    const results = answers.map((a) => (a?.sy === "reloaded" ? a.result : null));
    const ok = results.filter((r) => r?.ok === true).length;
    const failure = results.find((r) => r === null || !r.ok);
    const result: ReloadResult = {
      ok: failure === undefined && workers.length > 0,
      version: failure === undefined && workers.length > 0 ? version : status.version,
      at: new Date().toISOString(),
      durationMs: Math.round(performance.now() - begun),
      ...(failure === undefined ? {} : { error: failure?.error ?? "a worker did not answer" }),
      workers: { ok, total: workers.length },
    };
    status = {
      ...status,
      version: result.ok ? version : status.version,
      loadedAt: result.ok ? result.at : status.loadedAt,
      reloads: status.reloads + (result.ok ? 1 : 0),
      failedReloads: status.failedReloads + (result.ok ? 0 : 1),
      lastReload: result,
    };
    for (const worker of live()) tell(worker, { sy: "status", status });
    return result;
  }

  /** One reload at a time; calls made while one runs share the next. */
  function reload(trigger: string): Promise<ReloadResult> {
    const run = (): Promise<ReloadResult> => {
      reloading = reloadAll().then((result) => {
        reportReload(result, trigger);
        return result;
      });
      return reloading.finally(() => {
        reloading = null;
      });
    };
    if (reloading === null) return run();
    nextReload ??= reloading.then(() => {
      nextReload = null;
      return run();
    });
    return nextReload;
  }

  async function gatherMetrics(from: Worker, message: Extract<WorkerMessage, { sy: "metrics-request" }>): Promise<void> {
    const answers = await Promise.all(live().map((w) => askWorker(w, (id) => ({ sy: "metrics-request", id, path: message.path, headers: message.headers }), METRICS_ANSWER_MS)));
    const texts: string[] = [];
    let refusal: Extract<WorkerMessage, { sy: "metrics" }> | null = null;
    let contentType = "text/plain; version=0.0.4; charset=utf-8";
    for (const answer of answers) {
      if (answer?.sy !== "metrics") continue;
      if (answer.status !== 200) refusal ??= answer;
      else {
        texts.push(answer.body);
        contentType = answer.contentType;
      }
    }
    const reply: PrimaryMessage = refusal !== null
      ? { sy: "metrics-result", id: message.id, status: refusal.status, contentType: refusal.contentType, body: refusal.body }
      : { sy: "metrics-result", id: message.id, status: 200, contentType, body: mergeMetrics(texts) };
    tell(from, reply);
  }

  function onMessage(slot: Slot, worker: Worker, message: unknown): void {
    if (!isSwitchyardMessage(message)) return;
    const m = message as WorkerMessage;
    switch (m.sy) {
      case "store":
        tell(worker, counters.answer(m));
        return;
      case "listening":
        slot.listening = true;
        if (port === null) {
          port = m.port;
          url = m.url;
          summary = m.summary;
          notice = m.notice;
          status = { ...status, source: m.source };
          if (flags.watch) watcher = watchFiles(m.inputs, () => void reload("file change"));
        }
        tell(worker, { sy: "status", status });
        return;
      case "inputs":
        watcher?.update(m.inputs);
        return;
      case "reload-request":
        void reload("admin API").then((result) => tell(worker, { sy: "reload-result", id: m.id, result }));
        return;
      case "metrics-request":
        void gatherMetrics(worker, m);
        return;
      case "reloaded":
      case "metrics":
        waiting.get(m.id)?.(m);
        return;
    }
  }

  let firstFailure: ((code: number | null) => void) | null = null;

  function start(slot: Slot): Worker {
    const env: Record<string, string> = {
      [WORKER_ENV]: String(slot.index),
      [WORKERS_ENV]: String(count),
      [WORKER_VERSION_ENV]: String(status.version),
    };
    // Workers that each bind the port with SO_REUSEPORT must name the one the first has picked
    // (for --port 0); through the primary's socket, every worker gets the same port by itself.
    if (port !== null && portSharing(host) === "reuse-port") env[WORKER_PORT_ENV] = String(port);
    const worker = cluster.fork(env);
    slot.worker = worker;
    slot.listening = false;
    slot.startedAt = Date.now();
    worker.on("message", (message: unknown) => onMessage(slot, worker, message));
    worker.once("exit", (code, signal) => {
      if (slot.worker === worker) slot.worker = null;
      const wasListening = slot.listening;
      slot.listening = false;
      if (stopping) return;
      if (firstFailure !== null && !wasListening) {
        // A worker that fails while the server starts fails as every worker would (the config, the port).
        firstFailure(code);
        return;
      }
      slot.quickDeaths = Date.now() - slot.startedAt < QUICK_DEATH_MS ? slot.quickDeaths + 1 : 0;
      const delay = slot.quickDeaths === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** (slot.quickDeaths - 1));
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      console.error(`switchyard: worker ${slot.index} (pid ${worker.process.pid}) ${how}; starting a replacement${delay > 0 ? ` in ${delay} ms` : ""}`);
      const timer = setTimeout(() => {
        if (!stopping) start(slot);
      }, delay);
      timer.unref?.();
    });
    return worker;
  }

  /** Resolves once every slot's worker listens; rejects with the exit code when the config fails at start. */
  function allListening(): Promise<void> {
    return new Promise((resolve, reject) => {
      firstFailure = (code) => {
        clearInterval(check);
        firstFailure = null;
        stopping = true;
        for (const slot of slots) slot.worker?.process.kill("SIGKILL");
        reject(new CliError(`the workers could not start (a worker exited with code ${code}); see its error above`));
      };
      const check = setInterval(() => {
        if (slots.every((s) => s.listening)) {
          clearInterval(check);
          firstFailure = null;
          resolve();
        }
      }, 20);
    });
  }

  function stop(): void {
    if (stopping) return;
    stopping = true;
    watcher?.close();
    // Not unref'd: on some runtimes the channels to the workers do not keep the primary alive while they drain.
    const deadline = setTimeout(() => {
      for (const slot of slots) slot.worker?.process.kill("SIGKILL");
    }, DEFAULT_SHUTDOWN_TIMEOUT_MS + 5_000);
    const exits = slots.flatMap((slot) => {
      const worker = slot.worker;
      if (worker === null || worker.process.exitCode !== null) return [];
      return [new Promise<number>((resolve) => worker.once("exit", (code) => resolve(code ?? 1)))];
    });
    // Each worker drains its own requests, then exits (asked over the channel: a signal to a worker
    // reaches it before Deno's cluster is ready to let its server close).
    for (const slot of slots) if (slot.worker !== null) tell(slot.worker, { sy: "shutdown" });
    void Promise.all(exits).then((codes) => {
      clearTimeout(deadline);
      process.exit(codes.every((c) => c === 0) ? 0 : 1);
    });
  }

  cluster.setupPrimary({ exec: process.argv[1], args: process.argv.slice(2) });
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, stop);
  process.on("SIGHUP", () => void reload("SIGHUP"));

  // The first worker picks the port (a free one for --port 0); the others join it.
  const ready = allListening();
  start(slots[0]);
  await new Promise<void>((resolve, reject) => {
    const wait = setInterval(() => {
      if (port !== null) {
        clearInterval(wait);
        resolve();
      }
    }, 10);
    ready.catch((error) => {
      clearInterval(wait);
      reject(error);
    });
  });
  for (const slot of slots.slice(1)) start(slot);
  await ready;
  if (notice !== null) console.error(notice);
  console.log(`switchyard ${VERSION} listening on ${url} (config: ${status.source}, runtime: ${host.name}, workers: ${count}, ${Date.now() - started} ms)`);
  console.log(summary);
  return null;
}
