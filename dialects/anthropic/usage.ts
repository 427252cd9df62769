import { topLevelMember } from "../../core/json-text.ts";
import type { Usage } from "../../core/types.ts";
import { isObject } from "../json.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Anthropic usage, normalised the OpenAI way: Anthropic's `input_tokens` leaves out the tokens
 * read from and written to the prompt cache, which the neutral `inputTokens` includes.
 */
export function usageFromAnthropic(raw: unknown): Usage | null {
  if (!isObject(raw)) return null;
  const cached = count(raw.cache_read_input_tokens);
  const written = count(raw.cache_creation_input_tokens);
  const inputTokens = count(raw.input_tokens) + cached + written;
  const outputTokens = count(raw.output_tokens);
  const details = isObject(raw.output_tokens_details) ? raw.output_tokens_details : null;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    cachedTokens: cached,
    cacheWriteTokens: written,
    reasoningTokens: details === null ? 0 : Math.min(count(details.thinking_tokens), outputTokens),
  };
}

/** Anthropic's usage object from neutral usage; reasoning tokens go in `output_tokens_details`, as Anthropic reports thinking. */
export function usageToAnthropic(usage: Usage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedTokens,
    output_tokens: usage.outputTokens,
  };
  if (usage.reasoningTokens > 0) out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  return out;
}

/** Merge a `message_delta` usage into what `message_start` said: its counts are cumulative and may be partial. */
export function mergeUsage(previous: Record<string, unknown> | null, next: Record<string, unknown>): Record<string, unknown> {
  if (previous === null) return next;
  const merged: Record<string, unknown> = { ...previous };
  for (const key in next) if (next[key] != null) merged[key] = next[key];
  return merged;
}

/**
 * `usage` from a whole Messages answer's text, without parsing the rest: the top-level member is
 * found by scanning the text (strings skipped as strings), so a `usage` key inside a tool input
 * or a text block cannot be taken for it, wherever the upstream puts it.
 */
export function anthropicUsageOf(text: string): Usage | null {
  const member = topLevelMember(text, "usage");
  if (member === null) return null;
  try {
    return usageFromAnthropic(JSON.parse(text.slice(member.valueStart, member.valueEnd)));
  } catch {
    return null;
  }
}
