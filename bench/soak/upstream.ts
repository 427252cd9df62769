/**
 * The soak's upstream, in its own process: three OpenAI-format mock upstreams behind one port,
 * picked by path prefix (`/a/v1`, `/b/v1`, `/flaky/v1`). `flaky` answers a share of its requests
 * with a 503, which the gateway's fallback moves to the next target.
 * Run by bench/soak/soak.ts; prints `ready <port>`.
 *   --latency-ms N   wait before answering (default 10)
 *   --chunk-ms N     gap between stream events (default 10)
 *   --fail-every N   flaky: one request in N fails (default 2)
 */
import { listen } from "../../runtimes/node.ts";
import { mockUpstream, type MockUpstream } from "../../testing/mock-upstream.ts";
import { numberFlag, parseFlags } from "./flags.ts";

const flags = parseFlags(process.argv.slice(2));
const latencyMs = numberFlag(flags, "latency-ms", 10);
const chunkDelayMs = numberFlag(flags, "chunk-ms", 10);
const failEvery = numberFlag(flags, "fail-every", 2);

const upstreams: Record<string, MockUpstream> = {
  a: mockUpstream({ chunkDelayMs }),
  b: mockUpstream({ chunkDelayMs }),
  flaky: mockUpstream({ chunkDelayMs }),
};
let flakyCount = 0;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const name = path.slice(1, path.indexOf("/", 1));
  const upstream = upstreams[name];
  if (upstream === undefined) return new Response("unknown upstream", { status: 404 });
  if (name === "flaky" && ++flakyCount % failEvery === 0) upstream.fail({ status: 503 });
  if (latencyMs > 0) await wait(latencyMs);
  try {
    return await upstream.fetch(request);
  } finally {
    // The mock records every call for tests; a soak would otherwise grow this process for ever.
    upstream.calls.length = 0;
  }
}

const server = await listen(handle, { port: 0 });
console.log(`ready ${server.port}`);
// Closing the server lets the process end by itself (and the runner remove its bundled copy).
process.on("SIGTERM", () => void server.close(1000));
