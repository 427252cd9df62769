import { topLevelMember } from "../../core/json-text.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** A Responses API `usage` object (`input_tokens`, `output_tokens` and their details), normalised. */
export function usageFromResponses(raw: unknown): Usage | null {
  if (!isObject(raw)) return null;
  const inputTokens = count(raw.input_tokens);
  const outputTokens = count(raw.output_tokens);
  const input = isObject(raw.input_tokens_details) ? raw.input_tokens_details : null;
  const output = isObject(raw.output_tokens_details) ? raw.output_tokens_details : null;
  return {
    inputTokens,
    outputTokens,
    totalTokens: typeof raw.total_tokens === "number" ? count(raw.total_tokens) : inputTokens + outputTokens,
    cachedTokens: count(input?.cached_tokens),
    cacheWriteTokens: 0,
    reasoningTokens: count(output?.reasoning_tokens),
  };
}

export function usageToResponses(usage: Usage): Json {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}

/** `usage` from a whole response's text, found as a top-level member without parsing the rest. */
export function responsesUsageOf(text: string): Usage | null {
  const member = topLevelMember(text, "usage");
  if (member === null) return null;
  try {
    return usageFromResponses(JSON.parse(text.slice(member.valueStart, member.valueEnd)));
  } catch {
    return null;
  }
}
