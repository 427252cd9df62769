// The pass-through floor on Node: node:http in, undici out, bytes piped both ways. No parsing and
// no logic, so it is what any proxy on this runtime costs at the least.
// Run: node bench/e2e/floor-node.mjs --upstream http://127.0.0.1:PORT --port 0
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Agent } from "undici";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, upstream: { type: "string" } } });
const upstream = new URL(values.upstream);
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  agent.request({ origin: upstream.origin, path: req.url, method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json" }, body: req }).then(
    (answer) => {
      const headers = { "content-type": answer.headers["content-type"] };
      if (answer.headers["content-length"] !== undefined) headers["content-length"] = answer.headers["content-length"];
      res.writeHead(answer.statusCode, headers);
      answer.body.pipe(res);
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.listen(Number(values.port), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));
