/**
 * What the tracing plugin costs per request:
 * 1. its three hooks (onRequest, onAttempt, onComplete) for one request, with no SDK registered
 *    (the no-op path) and with an SDK that records every span, against the same request
 *    bookkeeping (context, one attempt) with empty hooks;
 * 2. a whole in-process chat request (mock provider) without the plugin, with it and no SDK, and
 *    with it and a recording SDK (spans handed to an exporter that drops them).
 * Run: npm run bench:tracing
 */
import { surfaceInfo } from "../core/surfaces.ts";
import type { ExportResult } from "@opentelemetry/core";
import { type ReadableSpan, SimpleSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { RequestContext } from "../core/context.ts";
import { createGateway } from "../core/gateway.ts";
import type { Plugin } from "../core/plugin.ts";
import type { Attempt } from "../core/types.ts";
import { tracing } from "../plugins/index.ts";
import { mock } from "../providers/mock.ts";

const dropAll: SpanExporter = {
  export: (_spans: ReadableSpan[], done: (result: ExportResult) => void) => done({ code: 0 }),
  shutdown: async () => {},
};
const recording = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: dropAll })] });

const body = { model: "mock/m", messages: [{ role: "user", content: "hi" }] };
const bodyText = JSON.stringify(body);
const request = new Request("http://gateway.local/v1/chat/completions", { method: "POST", body: bodyText });
const target = { provider: "mock", model: "m" };

type Handler = (...args: unknown[]) => unknown;
const handlerOf = (hook: unknown): Handler => (typeof hook === "function" ? hook : (hook as { handler: Handler }).handler) as Handler;

async function hooksOf(plugin: Plugin) {
  // Building a gateway runs the plugin's setup; the hooks are then called directly.
  await createGateway({ providers: { mock: mock() }, plugins: [plugin] });
  return { onRequest: handlerOf(plugin.onRequest), onAttempt: handlerOf(plugin.onAttempt), onComplete: handlerOf(plugin.onComplete) };
}
/** The same request bookkeeping with hooks that do nothing: the baseline. */
const none = { onRequest: () => {}, onAttempt: () => {}, onComplete: () => {} } as Record<"onRequest" | "onAttempt" | "onComplete", Handler>;
const noSdk = await hooksOf(tracing());
const withSdk = await hooksOf(tracing({ tracerProvider: recording }));

function newContext(): RequestContext {
  return new RequestContext(request, surfaceInfo("chat"), body, "mock/m", false, performance.now(), bodyText);
}
function oneRequest(hooks: typeof none): RequestContext {
  const ctx = newContext();
  hooks.onRequest(ctx);
  const attempt: Attempt = { index: 0, target, startedAt: 0.1, outcome: "pending", status: 0, firstByteMs: -1, durationMs: -1, errorCode: null, fault: null, headers: {} };
  ctx.attempts.push(attempt);
  hooks.onAttempt(ctx, attempt);
  attempt.outcome = "ok";
  attempt.status = 200;
  attempt.durationMs = 1;
  ctx.served = target;
  ctx.status = 200;
  ctx.durationMs = 1.2;
  hooks.onComplete(ctx);
  return ctx;
}

const chatPost = (gateway: { request(path: string, init?: RequestInit): Promise<Response> }) =>
  gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: bodyText });
const bare = await createGateway({ providers: { mock: mock() } });
const tracedNoSdk = await createGateway({ providers: { mock: mock() }, plugins: [tracing()] });
const tracedSdk = await createGateway({ providers: { mock: mock() }, plugins: [tracing({ tracerProvider: recording })] });

group("tracing hooks for one request", () => {
  summary(() => {
    bench("context + attempt bookkeeping, empty hooks (baseline)", () => do_not_optimize(oneRequest(none)));
    bench("context + tracing hooks, no SDK (no-op)", () => do_not_optimize(oneRequest(noSdk)));
    bench("context + tracing hooks, recording SDK", () => do_not_optimize(oneRequest(withSdk)));
  });
});

group("in-process chat request (mock provider)", () => {
  summary(() => {
    bench("no tracing (baseline)", async () => do_not_optimize(await (await chatPost(bare)).text()));
    bench("tracing(), no SDK", async () => do_not_optimize(await (await chatPost(tracedNoSdk)).text()));
    bench("tracing(), recording SDK", async () => do_not_optimize(await (await chatPost(tracedSdk)).text()));
  });
});

await run();
