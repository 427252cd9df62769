// The parsing floor on Node: the cheapest correct gateway, with no framework and no web objects,
// doing the work every gateway must do for a chat request and nothing more:
//   parse the request JSON, hash the presented key and check it, rewrite the model,
//   forward with undici, read the whole answer and parse its usage (streams: pass the bytes on
//   and pick the usage out of the last events), buffer a JSON log line per request flushed to a
//   file every 100 ms, answer with a content length.
// It is what the work itself costs on this runtime; the gap to the gateway is architecture.
// Run: node bench/e2e/floor-parsing-node.mjs --upstream http://127.0.0.1:PORT --port 0 [--log FILE]
import { createHash, timingSafeEqual } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Agent } from "undici";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, upstream: { type: "string" }, log: { type: "string" } } });
// Extra work per request, for bench/e2e/price.ts only (all 0 here: the floor as it is).
const BUSY_US = Number(process.env.BENCH_BUSY_US ?? 0);
const GARBAGE_KB = Number(process.env.BENCH_GARBAGE_KB ?? 0);
const AWAITS = Number(process.env.BENCH_AWAITS ?? 0);
const PRICED = BUSY_US > 0 || GARBAGE_KB > 0 || AWAITS > 0;
let kept = null;
const upstream = new URL(values.upstream);
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const KEY_HASH = createHash("sha256").update("sk-bench-key").digest();
const MODELS = { bench: "bench-model", "upstream/bench-model": "bench-model", "bench-model": "bench-model" };
const lines = [];
let sequence = 0;

setInterval(() => {
  if (lines.length === 0 || values.log === undefined) return void (lines.length = 0);
  const text = lines.join("");
  lines.length = 0;
  appendFile(values.log, text).catch(() => {});
}, 100).unref();

function fail(res, status, message) {
  const body = JSON.stringify({ error: { message, type: "invalid_request_error", code: null, param: null } });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function authorised(header) {
  if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
  return timingSafeEqual(createHash("sha256").update(header.slice(7)).digest(), KEY_HASH);
}

function usageOf(text) {
  const at = text.lastIndexOf('"usage"');
  if (at < 0) return null;
  const start = text.indexOf("{", at);
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return JSON.parse(text.slice(start, i + 1));
  }
  return null;
}

async function extraWork() {
  if (BUSY_US > 0) for (const end = performance.now() + BUSY_US / 1000; performance.now() < end;);
  // About 1 KB per 16 small objects, each dead once the next is made.
  for (let i = 0; i < GARBAGE_KB * 16; i++) kept = { i, next: null, more: i };
  for (let i = 0; i < AWAITS; i++) await null;
}

function record(id, model, status, usage, started) {
  lines.push(`${JSON.stringify({ id, model, status, usage, ms: performance.now() - started })}\n`);
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const started = performance.now();
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    if (PRICED) await extraWork();
    if (!authorised(req.headers.authorization)) return fail(res, 401, "Incorrect API key provided.");
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return fail(res, 400, "Request body is not valid JSON.");
    }
    const model = MODELS[body.model];
    if (model === undefined) return fail(res, 404, "model not found");
    body.model = model;
    const id = `req_${(++sequence).toString(36)}`;
    agent
      .request({ origin: upstream.origin, path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-upstream-bench" }, body: JSON.stringify(body) })
      .then(async (answer) => {
        if (body.stream === true) {
          res.writeHead(answer.statusCode, { "content-type": "text/event-stream", "x-request-id": id });
          let tail = "";
          for await (const chunk of answer.body) {
            res.write(chunk);
            tail = (tail + chunk.toString("utf8")).slice(-2048);
          }
          res.end();
          const usage = tail.includes('"usage"') ? usageOf(tail.slice(0, tail.lastIndexOf("data: [DONE]"))) : null;
          return record(id, model, answer.statusCode, usage, started);
        }
        const text = await answer.body.text();
        res.writeHead(answer.statusCode, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": id });
        res.end(text);
        record(id, model, answer.statusCode, usageOf(text), started);
      })
      .catch(() => fail(res, 502, "upstream unreachable"));
  });
});
server.listen(Number(values.port), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));
