/**
 * Run bench/upstream-client.bench.ts on Node, Deno and Bun against one fixed-answer upstream (plain
 * node:http, bench/servers/node-server.ts --kind raw, in its own process) and print, per runtime,
 * each client's requests per second and its ratio to that runtime's fetch in the same run.
 * Run: npm run bench:upstream [-- --seconds 3 --rounds 3 --concurrency 16]
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string): string => join(root, "node_modules", ".bin", name);
const opts = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) opts.set(process.argv[i].replace(/^--/, ""), process.argv[i + 1]);
const settings = [opts.get("seconds") ?? "3", opts.get("rounds") ?? "3", opts.get("concurrency") ?? "16"];

const upstream = spawn(process.execPath, [join(root, "scripts/run-ts.mjs"), join(root, "bench/servers/node-server.ts"), "--kind", "raw", "--port", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
let ready = "";
let port = 0;
for await (const chunk of upstream.stdout!) {
  ready += chunk;
  const match = /ready (\d+)/.exec(ready);
  if (match) {
    port = Number(match[1]);
    break;
  }
}
const url = `http://127.0.0.1:${port}/v1/chat/completions`;
const script = join(root, "bench/upstream-client.bench.ts");
const commands: Record<string, [string, string[]]> = {
  node: [process.execPath, [join(root, "scripts/run-ts.mjs"), script]],
  deno: [bin("deno"), ["run", "--allow-all", "--node-modules-dir=manual", script]],
  bun: [bin("bun"), ["--no-install", script]],
};

function runOn(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...args, url, ...settings], { cwd: root, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, DENO_NO_UPDATE_CHECK: "1" } });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited with ${code}`))));
  });
}

console.log(`upstream client bench: ${settings[0]} s per client per round, ${settings[1]} rounds, ${settings[2]} concurrent requests`);
console.log("| runtime | client | req/s per round | median | vs fetch |");
console.log("| --- | --- | --- | --- | --- |");
try {
  for (const [runtime, [file, args]] of Object.entries(commands)) {
    const lines = (await runOn(file, args)).trim().split("\n").map((line) => JSON.parse(line) as { client: string; rps?: number; unavailable?: string });
    const byClient = new Map<string, number[]>();
    for (const line of lines) {
      if (line.unavailable !== undefined) console.log(`| ${runtime} | ${line.client} | unavailable: ${line.unavailable} | | |`);
      else byClient.set(line.client, [...(byClient.get(line.client) ?? []), line.rps!]);
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const base = median(byClient.get("fetch") ?? [NaN]);
    for (const [client, values] of byClient) {
      console.log(`| ${runtime} | ${client} | ${values.join(", ")} | ${median(values)} | ${(median(values) / base).toFixed(2)} |`);
    }
  }
} finally {
  upstream.kill();
}
