/**
 * Micro benchmarks of the request path's hot functions, each group against a baseline measured
 * in the same run (read the ratios, not the absolute times):
 *   hook runner over 0, 1, 6, 12 plugins · request parsing and validation · SSE scanning per
 *   chunk · forwarding a stream to the client · the stream relay with and without onChunk · rate-limit check (memory store) · cost ·
 *   log enqueue (when this build has a `log` plugin).
 * Run: npm run bench:micro
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { AttemptGuard } from "../core/attempt-guard.ts";
import { parseJsonObject, readBodyText } from "../core/body.ts";
import { clientStream } from "../core/client-stream.ts";
import type { Plugin, SetupContext } from "../core/plugin.ts";
import { OpenAIStreamScanner } from "../dialects/openai/scanner.ts";
import { passthroughRelay } from "../core/stream-relay.ts";
import { validateChatRequest } from "../dialects/openai/validate.ts";
import * as builtins from "../plugins/index.ts";
import { cost, PRICES, requestCost } from "../plugins/cost/index.ts";
import { mockChatStreamEvents } from "../providers/mock-llm.ts";
import { memoryStore } from "../stores/memory.ts";
import { hookRunnerBenches, inProcessBenches } from "./micro/hooks.ts";
import { rateLimitHooks, rateLimitPluginGroup, servedContext } from "./micro/rate-limit.ts";
import { streamRelayBenches } from "./micro/stream-hooks.ts";

const LIMIT = 8 * 1024 * 1024;
const encoder = new TextEncoder();

hookRunnerBenches([0, 1, 6, 12]);

// A typical chat body: a system prompt, a short exchange, sampling options, one tool.
const chatBody = {
  model: "gpt-4o-mini",
  temperature: 0.2,
  max_tokens: 512,
  messages: [
    { role: "system", content: "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(3) },
    { role: "user", content: "Where is order 1234? It left the depot yesterday." },
    { role: "assistant", content: "Order 1234 is in transit and should arrive tomorrow." },
    { role: "user", content: "Can you check the latest scan?" },
  ],
  tools: [{ type: "function", function: { name: "track", description: "Track an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } } }],
};
const chatText = JSON.stringify(chatBody);
summary(() => {
  group(`request parsing + validation, ${chatText.length}-byte chat body`, () => {
    bench("JSON.parse alone (baseline)", () => do_not_optimize(JSON.parse(chatText)));
    bench("parseJsonObject + validateChatRequest", () => {
      const body = parseJsonObject(chatText);
      validateChatRequest(body);
      return body;
    });
  });
});
summary(() => {
  group("request body read from a web Request, then parsed and validated", () => {
    bench("new Request + text() + JSON.parse (baseline)", async () => do_not_optimize(JSON.parse(await new Request("http://g.local/", { method: "POST", body: chatText }).text())));
    bench("new Request + readBodyText + parse + validate", async () => {
      const body = parseJsonObject(await readBodyText(new Request("http://g.local/", { method: "POST", body: chatText }), LIMIT));
      validateChatRequest(body);
      return body;
    });
  });
});

// Chunks as an OpenAI stream sends them: one event each, usage in the last chunk before [DONE].
const events = mockChatStreamEvents({ ...chatBody, stream: true, stream_options: { include_usage: true } }).map((e) => encoder.encode(e));
const contentChunk = events[2];
summary(() => {
  group(`SSE per chunk (${contentChunk.byteLength}-byte content event)`, () => {
    const decoder = new TextDecoder();
    bench("TextDecoder.decode alone (baseline)", () => do_not_optimize(decoder.decode(contentChunk, { stream: true })));
    const passThrough = new OpenAIStreamScanner(false);
    bench("scan, pass-through (bytes out = bytes in)", () => do_not_optimize(passThrough.push(contentChunk)));
    const strip = new OpenAIStreamScanner(true);
    bench("scan and re-encode (usage chunk stripped)", () => do_not_optimize(strip.push(contentChunk)));
  });
});

async function* chunksOf(list: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of list) yield chunk;
}
async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader();
  let bytes = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.byteLength;
  return bytes;
}
function plainStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  }, { highWaterMark: 0 });
}
summary(() => {
  group(`a whole stream of ${events.length} events forwarded to the client`, () => {
    bench("plain ReadableStream over the chunks (baseline)", async () => do_not_optimize(await drain(plainStream(chunksOf(events)))));
    bench("clientStream (scanner, idle guard, usage)", async () => {
      const guard = new AttemptGuard(new AbortController().signal, undefined);
      return do_not_optimize(await drain(clientStream(chunksOf(events), passthroughRelay(new OpenAIStreamScanner(true)), guard, () => "", () => {})));
    });
  });
});

streamRelayBenches();

rateLimitPluginGroup("rate-limit check, memory store (rpm + tpm + concurrent, then settle)", [
  { name: "rateLimit onRequest + onComplete", hooks: rateLimitHooks(memoryStore()), remote: false },
]);

/** A plugin's hook as a plain function, whether it was given bare or as `{ handler }`. */
function hookOf<T>(hook: T | { handler: T } | undefined): T {
  return (typeof hook === "function" ? hook : (hook as { handler: T }).handler) as T;
}
const setupContext = { providers: new Map([["mock", { kind: "openai" }]]), report() {}, addModel() {}, addRoute() {}, addReadyCheck() {}, plugins: [] } as unknown as SetupContext;
const costPlugin = cost({ prices: { "mock/mock": { input: 0.15, output: 0.6, cachedInput: 0.075 } } });
await costPlugin.setup?.(setupContext);
const costComplete = hookOf(costPlugin.onComplete);
const usage = servedContext().usage!;
const [shippedModel, shippedPrice] = Object.entries(PRICES)[0];
summary(() => {
  group("cost of one request", () => {
    bench("context only (baseline)", () => do_not_optimize(servedContext()));
    bench("cost plugin onComplete (price lookup + compute)", () => {
      const ctx = servedContext();
      costComplete(ctx);
      return ctx;
    });
    bench(`requestCost alone (shipped ${shippedModel} price)`, () => do_not_optimize(requestCost(shippedPrice, usage, 0)));
  });
});

/** The request log, when this build has one: its onComplete is the enqueue. */
async function logBench(): Promise<Plugin | string> {
  const exported: Record<string, unknown> = builtins;
  const log = exported.log as ((options: unknown) => Plugin) | undefined;
  if (typeof log !== "function") return "not available (switchyard/plugins exports no log)";
  try {
    const discard = { name: "discard", write: async () => {}, flush: async () => {}, close: async () => {} };
    const plugin = log({ sinks: [discard] });
    await plugin.setup?.(setupContext);
    const enqueue = hookOf(plugin.onComplete);
    if (typeof enqueue !== "function") return "not available (log has no onComplete hook)";
    summary(() => {
      group("log enqueue of one request (sink discards)", () => {
        bench("context only (baseline)", () => do_not_optimize(servedContext()));
        bench("log onComplete (redact + enqueue)", () => {
          const ctx = servedContext();
          do_not_optimize(enqueue(ctx));
          return ctx;
        });
      });
    });
    return plugin;
  } catch (error) {
    return `not available (log({ sinks }) failed: ${(error as Error).message})`;
  }
}
const logged = await logBench();
if (typeof logged === "string") console.log(`log enqueue: ${logged}`);

const gateways = await inProcessBenches();
await run({ colors: process.stdout.isTTY === true });
for (const gateway of gateways) await gateway.close({ timeoutMs: 1000 });
if (typeof logged !== "string") await logged.close?.();
