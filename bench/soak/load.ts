/**
 * The soak's load, in its own process: an open loop at a steady rate (requests start on schedule
 * whether or not earlier ones finished), over the mix in bench/soak/mix.ts. Every window it
 * appends one JSON line to --out: requests finished, failures, and latency percentiles.
 * Latency is time to the whole answer for JSON and time to the first event for streams.
 * With --dialect anthropic the same mix is asked as Anthropic Messages on /v1/messages (the
 * translation path: the soak's upstream speaks the OpenAI format).
 *   --url U --rps R --seconds S --window-ms W --out FILE [--max-in-flight N] [--dialect openai|anthropic]
 */
import { appendFileSync } from "node:fs";
import { Agent, request } from "undici";
import { quantileSorted } from "../lib/stats.ts";
import { numberFlag, parseFlags } from "./flags.ts";
import { kindOf, type RequestKind, SOAK_KEYS } from "./mix.ts";

const flags = parseFlags(process.argv.slice(2));
const anthropic = flags.get("dialect") === "anthropic";
const url = `${flags.get("url") ?? "http://127.0.0.1:8787"}${anthropic ? "/v1/messages" : "/v1/chat/completions"}`;
/** What a whole answer holds, and what the last event of a finished stream says, in the dialect asked. */
const answerMark = anthropic ? '"content"' : '"choices"';
const streamEnd = anthropic ? "message_stop" : "[DONE]";
const rps = numberFlag(flags, "rps", 100);
const seconds = numberFlag(flags, "seconds", 60);
const windowMs = numberFlag(flags, "window-ms", 5000);
const maxInFlight = numberFlag(flags, "max-in-flight", 2000);
const out = flags.get("out");
if (out === undefined) throw new Error("--out FILE is required");

const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
const CONTEXT = "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(4);

interface Window {
  latencies: number[];
  ttft: number[];
  finished: number;
  failures: number;
  aborted: number;
  byKind: Partial<Record<RequestKind, number>>;
  failureSamples: string[];
}
const newWindow = (): Window => ({ latencies: [], ttft: [], finished: 0, failures: 0, aborted: 0, byKind: {}, failureSamples: [] });
let current = newWindow();
let inFlight = 0;
let skipped = 0;
let sent = 0;

function body(kind: RequestKind, n: number): string {
  if (kind === "bad") return '{"model":"soak-chat","messages":[';
  const prompt = kind === "cached" ? `Where is order ${n % 20}?` : `Where is order ${n}? It left the depot at ${n % 24}:00.`;
  const model = kind.startsWith("flaky") ? "soak-flaky" : "soak-chat";
  const stream = kind === "stream" || kind === "abort" || kind === "flaky-stream";
  if (anthropic) return JSON.stringify({ model, stream, max_tokens: 200, system: CONTEXT, messages: [{ role: "user", content: prompt }] });
  return JSON.stringify({ model, stream, max_tokens: 200, messages: [{ role: "system", content: CONTEXT }, { role: "user", content: prompt }] });
}

function fail(kind: RequestKind, why: string): void {
  current.failures++;
  if (current.failureSamples.length < 3) current.failureSamples.push(`${kind}: ${why}`);
}

async function one(n: number): Promise<void> {
  const kind = kindOf(n);
  const controller = new AbortController();
  const started = performance.now();
  const res = await request(url, {
    method: "POST",
    dispatcher,
    signal: controller.signal,
    headers: anthropic
      ? { "content-type": "application/json", "x-api-key": SOAK_KEYS[n % SOAK_KEYS.length], "anthropic-version": "2023-06-01" }
      : { "content-type": "application/json", authorization: `Bearer ${SOAK_KEYS[n % SOAK_KEYS.length]}` },
    body: body(kind, n),
  });
  current.byKind[kind] = (current.byKind[kind] ?? 0) + 1;
  if (kind === "bad") {
    await res.body.text();
    if (res.statusCode !== 400) fail(kind, `status ${res.statusCode}`);
    return;
  }
  if (res.statusCode !== 200) {
    fail(kind, `status ${res.statusCode} ${(await res.body.text()).slice(0, 200)}`);
    return;
  }
  if (kind === "json" || kind === "cached" || kind === "flaky-json") {
    const text = await res.body.text();
    if (!text.includes(answerMark)) return fail(kind, `no ${answerMark} in ${text.slice(0, 200)}`);
    current.latencies.push(performance.now() - started);
    return;
  }
  let events = 0;
  let tail = "";
  try {
    for await (const chunk of res.body) {
      if (events === 0) {
        const ttft = performance.now() - started;
        current.ttft.push(ttft);
        current.latencies.push(ttft);
      }
      events++;
      tail = (tail + chunk.toString()).slice(-200);
      if (kind === "abort" && events >= 2) {
        controller.abort();
        current.aborted++;
        return;
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return;
    throw error;
  }
  if (tail.includes('"error"') || !tail.includes(streamEnd)) fail(kind, `stream did not end with ${streamEnd}: ${tail}`);
}

function launch(): void {
  if (inFlight >= maxInFlight) {
    skipped++;
    return;
  }
  const n = sent++;
  inFlight++;
  one(n)
    .catch((error: Error) => fail(kindOf(n), error.message))
    .finally(() => {
      inFlight--;
      current.finished++;
    });
}

function flushWindow(): void {
  const w = current;
  current = newWindow();
  const sorted = w.latencies.sort((a, b) => a - b);
  const ttft = w.ttft.sort((a, b) => a - b);
  const round = (x: number): number | null => (Number.isNaN(x) ? null : Math.round(x * 100) / 100);
  const line = {
    t: Date.now(),
    finished: w.finished,
    failures: w.failures,
    aborted: w.aborted,
    inFlight,
    skipped,
    byKind: w.byKind,
    p50Ms: round(quantileSorted(sorted, 0.5)),
    p99Ms: round(quantileSorted(sorted, 0.99)),
    ttftP99Ms: round(quantileSorted(ttft, 0.99)),
    failureSamples: w.failureSamples,
  };
  appendFileSync(out!, `${JSON.stringify(line)}\n`);
}

console.log("load started");
const begun = performance.now();
const windows = setInterval(flushWindow, windowMs);
// Ticks every 10 ms and starts whatever the schedule says is due, so the rate holds on average
// even when a tick comes late on a busy machine.
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const elapsed = performance.now() - begun;
    if (elapsed >= seconds * 1000) {
      clearInterval(tick);
      resolve();
      return;
    }
    const due = Math.floor((elapsed / 1000) * rps);
    while (sent + skipped < due) launch();
  }, 10);
});
const deadline = performance.now() + 15_000;
while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
clearInterval(windows);
flushWindow();
await dispatcher.close();
console.log(`load done: ${sent} sent, ${skipped} skipped, ${inFlight} still in flight`);
