// A lean OpenAI-format upstream for the end-to-end bench, in its own process. Answers are fixed
// strings built once, so its own cost stays far below what it measures.
// Run: node bench/e2e/mock-upstream.mjs --port 0 [--latency-ms 0] [--chunks 8] [--chunk-delay-ms 0]
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "latency-ms": { type: "string", default: "0" },
    chunks: { type: "string", default: "8" },
    "chunk-delay-ms": { type: "string", default: "0" },
  },
});
const latencyMs = Number(values["latency-ms"]);
const chunkCount = Number(values.chunks);
const chunkDelayMs = Number(values["chunk-delay-ms"]);

const created = Math.floor(Date.now() / 1000);
const usage = { prompt_tokens: 12, completion_tokens: chunkCount, total_tokens: 12 + chunkCount };
const jsonBody = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created,
  model: "bench-model",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello from the bench upstream. ".repeat(4).trim() }, finish_reason: "stop" }],
  usage,
});
const event = (delta, finish, extra) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const streamEvents = [event({ role: "assistant", content: "" }, null)];
for (let i = 0; i < chunkCount; i++) streamEvents.push(event({ content: `token${i} ` }, null));
streamEvents.push(event({}, "stop"), `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created, model: "bench-model", choices: [], usage })}\n\n`, "data: [DONE]\n\n");
const streamWhole = streamEvents.join("");
const JSON_HEADERS = { "content-type": "application/json", "content-length": Buffer.byteLength(jsonBody) };
const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };

const later = (ms, fn) => (ms > 0 ? setTimeout(fn, ms) : fn());

function sendStream(res) {
  res.writeHead(200, SSE_HEADERS);
  if (chunkDelayMs <= 0) return res.end(streamWhole);
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(streamEvents[i++]);
    if (i === streamEvents.length) res.end();
    else setTimeout(next, chunkDelayMs);
  };
  next();
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    // A substring test instead of JSON.parse: the bench's requests are fixed, and parsing here
    // would only add the mock's own cost to every column.
    const stream = body.includes('"stream":true');
    later(latencyMs, () => (stream ? sendStream(res) : (res.writeHead(200, JSON_HEADERS), res.end(jsonBody))));
  });
});
server.listen(Number(values.port), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));
