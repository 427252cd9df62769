import type { Gateway } from "../../core/gateway.ts";
import type { ReloadingGateway } from "../../core/reloading.ts";
import type { ConfigStatus, ReloadResult, ServerControl } from "../../core/server-control.ts";
import type { RuntimeHost } from "../host.ts";
import { EMBEDDED_SOURCE } from "../config-source.ts";
import { exposureNotice } from "../exposure.ts";
import { serveConfig } from "../serve-config.ts";
import { describeGateway } from "../summary.ts";
import { isSwitchyardMessage, type PrimaryMessage, WORKER_ENV, WORKER_PORT_ENV, WORKER_VERSION_ENV, type WorkerMessage, WORKERS_ENV } from "./messages.ts";
import { portSharing } from "./port-sharing.ts";
import { installSharedCounters } from "./shared-counters.ts";

/** How long a worker waits for the primary to gather a whole-server answer. */
const GATHER_TIMEOUT_MS = 10_000;
const RELOAD_TIMEOUT_MS = 120_000;

export interface WorkerFlags {
  config: string | undefined;
  port: number;
  host: string;
}

/** The path the metrics plugin serves, if there is one; looked up again after a reload. */
function metricsPathOf(gateway: Gateway): string | null {
  const plugin = gateway.plugins.find((p) => p.name === "metrics");
  const path = plugin?.describe?.().path;
  return typeof path === "string" ? path : null;
}

/** True when `url`'s path is `path` (a query may follow). */
function hasPath(url: string, path: string): boolean {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start === -1 || !url.startsWith(path, start)) return false;
  const end = start + path.length;
  return end === url.length || url.charCodeAt(end) === 63; /* ? */
}

/**
 * One worker of `switchyard start --workers N`: it serves the config like a single process, and
 * leaves to the primary what concerns the whole server — reloads (so every worker takes one
 * together), `/metrics` (every worker's figures in one answer) and the memory store's counts.
 */
export async function runWorker(host: RuntimeHost, flags: WorkerFlags): Promise<null> {
  const send = (message: WorkerMessage): void => {
    process.send?.(message);
  };
  const counters = installSharedCounters(send);
  const index = Number(process.env[WORKER_ENV]);
  let status: ConfigStatus | null = null;
  let asked = 0;
  const waiting = new Map<number, (message: PrimaryMessage) => void>();

  function ask(message: (id: number) => WorkerMessage, timeoutMs: number): Promise<PrimaryMessage | null> {
    const id = ++asked;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      send(message(id));
    });
  }

  let gateway: ReloadingGateway | null = null;
  const server: ServerControl = {
    status: () => ({ ...(status ?? gateway!.status()), worker: index }),
    async reload(): Promise<ReloadResult> {
      const answer = await ask((id) => ({ sy: "reload-request", id }), RELOAD_TIMEOUT_MS);
      if (answer?.sy === "reload-result") return answer.result;
      return { ok: false, version: server.status().version, at: new Date().toISOString(), durationMs: RELOAD_TIMEOUT_MS, error: "the primary process did not answer" };
    },
  };

  /** This worker's own metrics text, as its gateway renders it for `request`. */
  async function localMetrics(url: string, headers: [string, string][]): Promise<{ status: number; contentType: string; body: string }> {
    const response = await gateway!.current.fetch(new Request(url, { headers }));
    return { status: response.status, contentType: response.headers.get("content-type") ?? "text/plain", body: await response.text() };
  }

  let metricsPlugins: Gateway["plugins"] | null = null;
  let metricsPath: string | null = null;
  const wrap = (reloading: ReloadingGateway): Gateway => {
    gateway = reloading;
    const fetch = (request: Request): Promise<Response> => {
      if (reloading.plugins !== metricsPlugins) {
        metricsPlugins = reloading.plugins;
        metricsPath = metricsPathOf(reloading);
      }
      if (metricsPath === null || request.method !== "GET" || !hasPath(request.url, metricsPath)) return reloading.fetch(request);
      return wholeServerMetrics(request);
    };
    return Object.create(reloading, { fetch: { value: fetch }, request: { value: (path: string, init?: RequestInit) => fetch(new Request(new URL(path, "http://gateway.local"), init)) } }) as Gateway;
  };

  async function wholeServerMetrics(request: Request): Promise<Response> {
    const headers = [...request.headers.entries()];
    const answer = await ask((id) => ({ sy: "metrics-request", id, path: request.url, headers }), GATHER_TIMEOUT_MS);
    if (answer?.sy !== "metrics-result") return gateway!.current.fetch(request);
    return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.contentType } });
  }

  process.on("message", (message: unknown) => {
    if (!isSwitchyardMessage(message)) return;
    const m = message as PrimaryMessage;
    switch (m.sy) {
      case "store-result":
        counters.receive(m);
        return;
      case "status":
        status = m.status;
        return;
      case "shutdown":
        void served.server.shutdown().then(
          () => process.exit(0),
          () => process.exit(1),
        );
        return;
      case "reload":
        void gateway!.reload({ version: m.version }).then((result) => {
          send({ sy: "reloaded", id: m.id, result });
          send({ sy: "inputs", inputs: served.inputs() });
        });
        return;
      case "metrics-request":
        void localMetrics(m.path, m.headers).then(
          (rendered) => send({ sy: "metrics", id: m.id, ...rendered }),
          (error) => send({ sy: "metrics", id: m.id, status: 500, contentType: "text/plain", body: `# worker metrics failed: ${(error as Error).message}\n` }),
        );
        return;
      case "reload-result":
      case "metrics-result":
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
        return;
    }
  });
  // The primary coordinates reloads; a hangup reaching the whole process group must not end a worker.
  process.on("SIGHUP", () => {});

  const port = process.env[WORKER_PORT_ENV] === undefined ? flags.port : Number(process.env[WORKER_PORT_ENV]);
  const served = await serveConfig(host, {
    config: flags.config,
    listen: { port, host: flags.host, ...(portSharing(host) === "reuse-port" ? { reusePort: true } : {}) },
    server,
    version: Number(process.env[WORKER_VERSION_ENV] ?? 1),
    workers: Number(process.env[WORKERS_ENV] ?? 1),
    wrap,
  });
  // Without its primary, a worker drains and ends rather than serve on alone.
  process.on("disconnect", () => void served.server.shutdown().finally(() => process.exit(0)));
  const notice = exposureNotice(served.gateway, served.source === EMBEDDED_SOURCE, flags.host);
  send({ sy: "listening", port: served.server.port, url: served.server.url, summary: describeGateway(served.gateway), notice, source: served.source, inputs: served.inputs() });
  return null;
}
