/**
 * The Node request path in one process, without sockets: the Node adapter's handler (lazy
 * Request, light client signal, the bridge's write) fed a stand-in IncomingMessage and
 * ServerResponse, the gateway built from the bench's full chain or a subset, and an in-memory
 * upstream that answers on the next turn of the event loop (as a socket would). It isolates what
 * the gateway's own JavaScript costs per request: heap allocated (deterministic, the figure to
 * compare) and CPU time (moved by other load on a shared machine). 64 requests in flight.
 * Run: node --expose-gc --max-semi-space-size=64 scripts/run-ts.mjs bench/node-path.bench.ts [--plugins auth,rateLimit,route,fallback,cost,log] [--prompt-kb 50]
 * (no --plugins: the bare gateway, requests naming `upstream/bench-model`; `--prompt-kb`: a user
 * message of about that many kB, mixed ASCII and multi-byte text, as long coding prompts are).
 */
import { EventEmitter } from "node:events";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { createGateway } from "../core/index.ts";
import type { Plugin } from "../core/plugin.ts";
import type { UpstreamClient, UpstreamResponse } from "../core/upstream.ts";
import { auth, cost, fallback, log, rateLimit, route } from "../plugins/index.ts";
import { openai } from "../providers/index.ts";
import { nodeHandler } from "../runtimes/node-bridge.ts";
import { fileSink } from "../sinks/index.ts";

const { values } = parseArgs({ options: { plugins: { type: "string", default: "" }, requests: { type: "string", default: "20000" }, "prompt-kb": { type: "string", default: "0" } } });
const wanted = new Set(values.plugins.split(",").filter(Boolean));

const answer = JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", created: 1, model: "bench-model", choices: [{ index: 0, message: { role: "assistant", content: "Hello! I am fine, thank you." }, finish_reason: "stop" }], usage: { prompt_tokens: 12, completion_tokens: 8, total_tokens: 20 } });
const reply: UpstreamResponse = {
  status: 200,
  header: (name) => (name === "content-type" ? "application/json" : null),
  text: () => new Promise((resolve) => setImmediate(() => resolve(answer))),
  chunks: () => {
    throw new Error("this bench asks for whole answers only");
  },
  discard() {},
};
const upstream: UpstreamClient = { request: () => Promise.resolve(reply) };

const plugins: Plugin[] = [];
if (wanted.has("auth")) plugins.push(auth({ keys: [{ id: "bench", key: "sk-bench-key", team: "bench" }] }));
if (wanted.has("rateLimit")) plugins.push(rateLimit({ per: "key", rpm: 1_000_000_000, tpm: 1_000_000_000_000, concurrent: 10_000 }));
if (wanted.has("route")) plugins.push(route({ models: { bench: [{ provider: "upstream", model: "bench-model" }] } }));
if (wanted.has("fallback")) plugins.push(fallback({ retries: 1 }));
if (wanted.has("cost")) plugins.push(cost({ prices: { "upstream/bench-model": { input: 0.15, output: 0.6 } } }));
/** The log plugin's file: tens of MB per run, removed (with its rotations) when the run ends. */
const logFile = join(tmpdir(), `switchyard-node-path-${process.pid}.jsonl`);
if (wanted.has("log")) plugins.push(log({ sinks: [fileSink({ path: logFile })] }));
const gateway = await createGateway({ providers: { upstream: openai({ baseURL: "http://127.0.0.1:9/v1", apiKey: "sk-upstream-bench" }) }, plugins, upstream });
const handler = nodeHandler((request) => gateway.fetch(request), (error) => console.error(error));

const body = Buffer.from(JSON.stringify({ model: wanted.has("route") ? "bench" : "upstream/bench-model", messages: [{ role: "user", content: prompt(Number(values["prompt-kb"])) }] }));

/** The user's message: a short greeting, or about `kb` kB of text with some multi-byte characters in it. */
function prompt(kb: number): string {
  if (kb <= 0) return "Hello, how are you today?";
  const line = "function total(items) { return items.reduce((sum, item) => sum + item.price, 0); } // prix réduit — 合計\n";
  return line.repeat(Math.ceil((kb * 1024) / Buffer.byteLength(line)));
}
const headers = { host: "127.0.0.1:8080", "content-type": "application/json", authorization: "Bearer sk-bench-key", "content-length": String(body.length), connection: "keep-alive" };

/** Just what the bridge reads of an IncomingMessage: a readable body, method, url, headers, `complete`. */
function incoming(): Readable {
  const req = Object.assign(new Readable({ read() {} }), { method: "POST", url: "/v1/chat/completions", headers, complete: false });
  req.on("end", () => (req.complete = true));
  req.push(body);
  req.push(null);
  return req;
}

/** Just what the bridge writes to a ServerResponse; `end` settles the request. */
function outgoing(done: (status: number) => void): EventEmitter {
  const res = Object.assign(new EventEmitter(), { writableFinished: false, headersSent: false, destroyed: false, status: 0 });
  return Object.assign(res, {
    writeHead(status: number) {
      res.status = status;
      res.headersSent = true;
    },
    end() {
      res.writableFinished = true;
      res.emit("finish");
      res.emit("close");
      done(res.status);
    },
  });
}

const one = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const res = outgoing((status) => (status === 200 ? resolve() : reject(new Error(`answered ${status}`))));
    void handler(incoming() as never, res as never);
  });

async function inFlight(total: number, concurrency = 64): Promise<void> {
  let started = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started++ < total) await one();
  }));
}

const label = (wanted.size === 0 ? "bare" : [...wanted].join(",")) + (Number(values["prompt-kb"]) > 0 ? `, ${values["prompt-kb"]} kB prompt` : "");
const total = Number(values.requests);
await inFlight(5000);
const cpu: number[] = [];
for (let round = 0; round < 3; round++) {
  const before = process.cpuUsage();
  await inFlight(total);
  const used = process.cpuUsage(before);
  cpu.push((used.user + used.system) / total);
}
const gc = (globalThis as { gc?: () => void }).gc;
let allocated: number | null = null;
if (gc !== undefined) {
  const perBatch: number[] = [];
  for (let batch = 0; batch < 21; batch++) {
    gc();
    const heap = process.memoryUsage().heapUsed;
    await inFlight(100);
    await new Promise((resolve) => setTimeout(resolve, 0));
    perBatch.push((process.memoryUsage().heapUsed - heap) / 100);
  }
  allocated = perBatch.sort((a, b) => a - b)[10];
}
cpu.sort((a, b) => a - b);
console.log(`${label}: heap allocated per request ${allocated === null ? "n/a (run with --expose-gc)" : `${allocated.toFixed(0)} B`}, CPU per request ${cpu[1].toFixed(1)} µs (median of 3 × ${total})`);
await gateway.close();
await Promise.all(["", ".1", ".2", ".3", ".4", ".5"].map((suffix) => rm(logFile + suffix, { force: true })));
