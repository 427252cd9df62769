/** The rateLimit plugin's per-request work, shared by the rate-limit bench and the micro suite. */
import { surfaceInfo } from "../../core/surfaces.ts";
import { bench, do_not_optimize, group, summary } from "mitata";
import { RequestContext } from "../../core/context.ts";
import type { CounterStore } from "../../core/counter-store.ts";
import type { OnCompleteHook, OnRequestHook } from "../../core/plugin.ts";
import { rateLimit } from "../../plugins/rate-limit/index.ts";

// Limits far above what a bench reaches, so every check takes the "allowed" path.
export const rule = { limit: 1_000_000_000, windowMs: 60_000 };
const body = { model: "mock/mock", messages: [{ role: "user", content: "Hello, how are you today?" }] };
const bodyText = JSON.stringify(body);
const request = new Request("http://gateway.local/v1/chat/completions", { method: "POST", body: bodyText });
const usage = { inputTokens: 20, outputTokens: 30, totalTokens: 50, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** onRequest (rpm + tpm + concurrent) and onComplete of one global limiter on `store`. */
export function rateLimitHooks(store: CounterStore): { onRequest: OnRequestHook; onComplete: OnCompleteHook } {
  const plugin = rateLimit({ per: "global", rpm: rule.limit, tpm: rule.limit, concurrent: 1_000_000, store, name: `bench-${store.kind}` });
  return { onRequest: (plugin.onRequest as { handler: OnRequestHook }).handler, onComplete: plugin.onComplete as OnCompleteHook };
}

/** A served chat request's context with usage, as onComplete sees it. */
export function servedContext(): RequestContext {
  const ctx = new RequestContext(request, surfaceInfo("chat"), body, "mock/mock", false, 0, bodyText);
  ctx.served = { provider: "mock", model: "mock" };
  ctx.usage = usage;
  return ctx;
}

export interface LimiterVariant {
  name: string;
  hooks: { onRequest: OnRequestHook; onComplete: OnCompleteHook };
  /** Await the hooks (a remote store); a local store is timed synchronously. */
  remote: boolean;
}

/** One request's limiter work (onRequest, then onComplete) per variant, against creating the context. */
export function rateLimitPluginGroup(title: string, variants: readonly LimiterVariant[]): void {
  summary(() => {
    group(title, () => {
      bench("context only (baseline)", () => do_not_optimize(servedContext()));
      for (const { name, hooks, remote } of variants) {
        if (remote) {
          bench(name, async () => {
            const ctx = servedContext();
            await hooks.onRequest(ctx);
            await hooks.onComplete(ctx);
            return ctx;
          });
        } else {
          bench(name, () => {
            const ctx = servedContext();
            hooks.onRequest(ctx);
            hooks.onComplete(ctx);
            return ctx;
          });
        }
      }
    });
  });
}
