// A small closed-loop client with microsecond timing (autocannon's percentiles are whole
// milliseconds): `--mode json` times whole responses, `--mode stream` the first SSE data event.
// Run: node bench/e2e/probe.mjs --url URL --body JSON [--auth KEY] --connections 4 --seconds 3 --mode stream
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    body: { type: "string" },
    auth: { type: "string" },
    header: { type: "string", multiple: true, default: [] },
    connections: { type: "string", default: "1" },
    seconds: { type: "string", default: "3" },
    mode: { type: "string", default: "json" },
  },
});
const url = new URL(values.url);
const connections = Number(values.connections);
const body = Buffer.from(values.body);
const timeToFirstEvent = values.mode === "stream";
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const headers = { "content-type": "application/json", "content-length": body.byteLength };
if (values.auth) headers.authorization = `Bearer ${values.auth}`;
for (const line of values.header) {
  const colon = line.indexOf(":");
  headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1);
}
/** Longest wait for one answer; a request past it is an error and its socket is dropped. */
const REQUEST_TIMEOUT_MS = 10_000;
const deadline = performance.now() + Number(values.seconds) * 1000;
const samples = [];
let errors = 0;

function once() {
  return new Promise((resolve) => {
    const started = performance.now();
    let timed = false;
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers, agent }, (res) => {
      if (res.statusCode !== 200) errors++;
      res.on("data", (chunk) => {
        // Only the first event matters; its bytes start with "data:" in every OpenAI stream.
        if (timeToFirstEvent && !timed && chunk.includes("data:")) {
          timed = true;
          samples.push(performance.now() - started);
        }
      });
      res.on("end", () => {
        if (!timeToFirstEvent) samples.push(performance.now() - started);
        else if (!timed) errors++;
        resolve();
      });
      res.on("error", () => (errors++, resolve()));
    });
    req.on("error", () => (errors++, resolve()));
    // A server that never answers must cost the probe an error, not hang the bench.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error("no answer")));
    req.end(body);
  });
}

async function loop() {
  while (performance.now() < deadline) await once();
}

await Promise.all(Array.from({ length: connections }, loop));
agent.destroy();
samples.sort((a, b) => a - b);
const at = (q) => (samples.length === 0 ? null : samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]);
console.log(JSON.stringify({ count: samples.length, errors, p50: at(0.5), p99: at(0.99) }));
