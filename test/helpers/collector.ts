import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface Collector {
  readonly url: string;
  /** Records received on `path`, oldest first (NDJSON or JSON-array bodies, gzip undone). */
  records(path: string): unknown[];
  /** Requests received, all paths. */
  readonly requests: number;
  close(): Promise<void>;
}

/** How a collector answers: store and 204, fail with a status, or never answer at all. */
export type CollectorMode = "ok" | { status: number } | "hang";

/** A local log collector on a random port, for httpSink tests. */
export async function startCollector(mode: CollectorMode = "ok"): Promise<Collector> {
  const received = new Map<string, unknown[]>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (mode === "hang") {
      // Read the body and keep the socket open, like a collector whose backend stopped.
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (typeof mode === "object") {
        res.writeHead(mode.status).end();
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const text = body.toString("utf8");
      const records = req.headers["content-type"] === "application/json"
        ? (JSON.parse(text) as unknown[])
        : text.split("\n").filter((line) => line.length > 0).map((line) => JSON.parse(line) as unknown);
      const list = received.get(req.url ?? "/") ?? [];
      list.push(...records);
      received.set(req.url ?? "/", list);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records: (path) => received.get(path) ?? [],
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
