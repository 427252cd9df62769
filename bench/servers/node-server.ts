/**
 * One HTTP server for bench/node-server.bench.ts, in its own process:
 *   --kind bridge   the gateway behind switchyard's own node:http bridge
 *   --kind hono     the gateway behind @hono/node-server
 *   --kind raw      plain node:http answering a fixed body (what the server layer alone costs)
 * The gateway answers from the in-process mock provider, so no upstream is involved.
 */
import { createServer } from "node:http";
import { serve as honoServe } from "@hono/node-server";
import { createGateway } from "../../core/gateway.ts";
import { mock } from "../../providers/mock.ts";
import { listen } from "../../runtimes/node.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const kind = args.get("kind") ?? "bridge";
const port = Number(args.get("port") ?? 0);

const gateway = await createGateway({ providers: { mock: mock() } });
if (kind === "bridge") {
  const l = await listen(gateway.fetch, { port });
  console.log(`ready ${l.port}`);
} else if (kind === "hono") {
  const server = honoServe({ fetch: gateway.fetch, port, hostname: "127.0.0.1" }, (info) => console.log(`ready ${info.port}`));
  void server;
} else {
  const body = '{"id":"x","object":"chat.completion","choices":[]}';
  createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  }).listen(port, "127.0.0.1", function (this: import("node:net").Server) {
    console.log(`ready ${(this.address() as import("node:net").AddressInfo).port}`);
  });
}
