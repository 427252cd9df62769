/** The rateLimit plugin's per-request work, shared by the rate-limit bench and the micro suite. */
import { RequestContext } from "../../core/context.ts";
import type { CounterStore } from "../../core/counter-store.ts";
import type { OnCompleteHook, OnRequestHook } from "../../core/plugin.ts";
import { rateLimit } from "../../plugins/rate-limit/index.ts";

// Limits far above what a bench reaches, so every check takes the "allowed" path.
export const rule = { limit: 1_000_000_000, windowMs: 60_000 };
const body = { model: "mock/mock", messages: [{ role: "user", content: "Hello, how are you today?" }] };
const bodyText = JSON.stringify(body);
const request = new Request("http://gateway.local/v1/chat/completions", { method: "POST", body: bodyText });
const usage = { inputTokens: 20, outputTokens: 30, totalTokens: 50, cachedTokens: 0, reasoningTokens: 0 };

/** onRequest (rpm + tpm + concurrent) and onComplete of one global limiter on `store`. */
export function rateLimitHooks(store: CounterStore): { onRequest: OnRequestHook; onComplete: OnCompleteHook } {
  const plugin = rateLimit({ per: "global", rpm: rule.limit, tpm: rule.limit, concurrent: 1_000_000, store, name: `bench-${store.kind}` });
  return { onRequest: (plugin.onRequest as { handler: OnRequestHook }).handler, onComplete: plugin.onComplete as OnCompleteHook };
}

/** A served chat request's context with usage, as onComplete sees it. */
export function servedContext(): RequestContext {
  const ctx = new RequestContext(request, "chat", body, "mock/mock", false, 0, bodyText);
  ctx.served = { provider: "mock", model: "mock" };
  ctx.usage = usage;
  return ctx;
}
