import type { RequestContext } from "../../core/context.ts";
import type { RateDecision } from "../../core/counter-store.ts";

/**
 * A duration the way OpenAI writes `x-ratelimit-reset-*`: Go's format (`20ms`, `1s`, `1.5s`,
 * `6m0s`, `1h2m3s`), which OpenAI clients and retry libraries already parse.
 */
export function formatReset(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const secondsText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, "")}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

export type Dimension = "requests" | "tokens";

export function limitHeaders(dimension: Dimension, decision: RateDecision): Record<string, string> {
  return {
    [`x-ratelimit-limit-${dimension}`]: String(decision.limit),
    [`x-ratelimit-remaining-${dimension}`]: String(decision.remaining),
    [`x-ratelimit-reset-${dimension}`]: formatReset(decision.resetMs),
  };
}

/**
 * Put a limiter's state on the response. With several limiters (per key and per team, say) the
 * caller sees the tightest one: a value is replaced only by a lower `remaining`.
 */
const NAMES = {
  requests: { limit: "x-ratelimit-limit-requests", remaining: "x-ratelimit-remaining-requests", reset: "x-ratelimit-reset-requests" },
  tokens: { limit: "x-ratelimit-limit-tokens", remaining: "x-ratelimit-remaining-tokens", reset: "x-ratelimit-reset-tokens" },
} as const;

export function setLimitHeaders(ctx: RequestContext, dimension: Dimension, decision: RateDecision): void {
  const names = NAMES[dimension];
  const current = ctx.responseHeaders?.[names.remaining];
  if (current !== undefined && Number(current) <= decision.remaining) return;
  ctx.setResponseHeader(names.limit, String(decision.limit));
  ctx.setResponseHeader(names.remaining, String(decision.remaining));
  ctx.setResponseHeader(names.reset, formatReset(decision.resetMs));
}
