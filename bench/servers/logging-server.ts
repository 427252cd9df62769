/** One gateway of bench/logging.bench.ts behind the Node listener: --kind none|file|dead-http|throwing. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen } from "../../runtimes/node.ts";
import { deadCollector, type Kind, loggingGateway } from "./logging-gateway.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const kind = (args.get("kind") ?? "none") as Kind;
const collector = await deadCollector();
const { gateway, logger } = await loggingGateway(kind, { dir: mkdtempSync(join(tmpdir(), "switchyard-bench-log-")), collectorUrl: collector.url });
const l = await listen(gateway.fetch, { port: 0 });
console.log(`ready ${l.port}`);
// The parent asks for the queue's figures and the heap on stdin.
process.stdin.on("data", () => {
  const stats = logger?.logStats() ?? null;
  console.log(`stats ${JSON.stringify({ stats, heapMB: process.memoryUsage().heapUsed / 1048576, rssMB: process.memoryUsage().rss / 1048576 })}`);
});
