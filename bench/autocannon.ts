import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

/** autocannon, in its own process, POSTing `body` to the chat endpoint on `port`; any non-2xx or error fails the run. */
export async function chatLoad(port: number, options: { connections: number; seconds: number; body: string }): Promise<LoadResult> {
  const child = spawn(
    join(root, "node_modules/.bin/autocannon"),
    ["-c", String(options.connections), "-d", String(options.seconds), "-m", "POST", "-H", "content-type=application/json", "-b", options.body, "--json", `http://127.0.0.1:${port}/v1/chat/completions`],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  await once(child, "exit");
  const result = JSON.parse(out);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`errors under load: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}
