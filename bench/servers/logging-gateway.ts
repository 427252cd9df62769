/**
 * The gateways bench/logging.bench.ts compares, built the same way in-process and in the server
 * process: no logging, a file sink, an httpSink to a collector that never answers, a sink that
 * throws. All answer from the in-process mock provider.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGateway, type Gateway } from "../../core/gateway.ts";
import type { LogSink } from "../../core/log-sink.ts";
import { log, type LogPlugin } from "../../plugins/log/index.ts";
import { mock } from "../../providers/mock.ts";
import { fileSink } from "../../sinks/file.ts";
import { httpSink } from "../../sinks/http.ts";

export const KINDS = ["none", "file", "dead-http", "throwing"] as const;
export type Kind = (typeof KINDS)[number];

/** A collector that reads each request and never answers, like one whose backend hung. */
export async function deadCollector(): Promise<{ url: string; server: Server }> {
  const server = createServer((req) => void req.resume());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`, server };
}

const throwing: LogSink = {
  name: "throwing",
  write() {
    throw new Error("sink exploded");
  },
};

export async function loggingGateway(kind: Kind, options: { dir: string; collectorUrl: string }): Promise<{ gateway: Gateway; logger: LogPlugin | null }> {
  const sink = kind === "file"
    ? fileSink({ path: `${options.dir}/requests.jsonl`, rotate: { maxBytes: 16 * 1024 * 1024, keep: 2 } })
    : kind === "dead-http"
    ? httpSink({ url: options.collectorUrl })
    : kind === "throwing"
    ? throwing
    : null;
  const logger = sink === null ? null : log({ sinks: [sink] });
  const gateway = await createGateway({
    providers: { mock: mock() },
    plugins: logger === null ? [] : [logger],
    // The throwing sink reports once per outage; keep the bench output clean.
    onError: () => {},
  });
  return { gateway, logger };
}
