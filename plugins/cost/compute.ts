import type { Usage } from "../../core/types.ts";
import type { ModelPrice, TokenPrices } from "./prices.ts";

const PER_TOKEN = 1 / 1_000_000;

/** The rates in force for a request of `inputTokens`, at `now` (ms since the epoch). */
export function ratesFor(price: ModelPrice, inputTokens: number, now: number): TokenPrices {
  let rates: TokenPrices = price;
  if (price.scheduled !== undefined && now >= Date.parse(price.scheduled.from)) rates = price.scheduled;
  const long = price.longContext;
  if (long !== undefined && inputTokens > long.aboveInputTokens) rates = long;
  return rates;
}

/**
 * USD for one request. Usage counts as OpenAI reports it: input includes cached (cache-read) and
 * cache-write tokens, output includes reasoning tokens; each part is billed at its own rate.
 */
export function requestCost(price: ModelPrice, usage: Usage, now: number): number {
  const rates = ratesFor(price, usage.inputTokens, now);
  const cached = Math.min(usage.cachedTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteTokens, usage.inputTokens - cached);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  return (
    (usage.inputTokens - cached - written) * rates.input +
    cached * (rates.cachedInput ?? rates.input) +
    written * (rates.cacheWrite ?? rates.input) +
    (usage.outputTokens - reasoning) * rates.output +
    reasoning * (rates.reasoning ?? rates.output)
  ) * PER_TOKEN;
}

/**
 * A cost for a header: plain decimal (no exponent), six significant digits, at most twelve
 * decimals. From a millionth of a dollar up, the shortest decimal of the six-digit rounding is
 * already that (the engine writes no exponent there, and six digits need at most eleven
 * decimals), which skips a fixed-point pass and two replaces on every priced request.
 */
export function formatUsd(usd: number): string {
  if (usd === 0) return "0";
  const rounded = Number(usd.toPrecision(6));
  const size = rounded < 0 ? -rounded : rounded;
  if (size >= 1e-6 && size < 1e15) return String(rounded);
  return rounded.toFixed(12).replace(/0+$/, "").replace(/\.$/, "");
}
