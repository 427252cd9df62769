/**
 * Anthropic usage ↔ the gateway's. Anthropic reports cache reads and cache writes apart from
 * `input_tokens`; the gateway counts input the OpenAI way, all of it together.
 */
import type { Usage } from "../../core/types.ts";
import { type Json, isObject } from "../json.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Normalise an Anthropic `usage` object: input = input_tokens + cache reads + cache writes. */
export function usageFromAnthropic(raw: unknown): Usage | null {
  if (!isObject(raw)) return null;
  const cachedTokens = count(raw.cache_read_input_tokens);
  const cacheWriteTokens = count(raw.cache_creation_input_tokens);
  const inputTokens = count(raw.input_tokens) + cachedTokens + cacheWriteTokens;
  const outputTokens = count(raw.output_tokens);
  const details = raw.output_tokens_details;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    cachedTokens,
    cacheWriteTokens,
    reasoningTokens: isObject(details) ? count(details.thinking_tokens) : 0,
  };
}

/** The gateway's usage in Anthropic's words: cache reads and writes taken back out of the input. */
export function usageToAnthropic(usage: Usage): Json {
  const out: Json = {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens: usage.outputTokens,
  };
  if (usage.reasoningTokens > 0) out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return out;
}

/**
 * Stream usage is cumulative: `message_start` says what is known up front, each `message_delta`
 * restates the totals, leaving out (or nulling) the counters it does not restate. The fields it
 * gives win; the others keep their earlier value.
 */
export function mergeAnthropicUsage(into: Json, raw: unknown): void {
  if (!isObject(raw)) return;
  for (const key in raw) {
    const value = raw[key];
    if (value !== null && value !== undefined) into[key] = value;
  }
}
