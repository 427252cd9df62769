import { skipSpace, valueEnd } from "../../core/json-text.ts";
import type { Usage } from "../../core/types.ts";

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Normalise an OpenAI `usage` object (chat or embeddings). */
export function usageFromOpenAI(raw: unknown): Usage | null {
  if (raw === null || typeof raw !== "object") return null;
  const u = raw as OpenAIUsage;
  const inputTokens = count(u.prompt_tokens);
  const outputTokens = count(u.completion_tokens);
  return {
    inputTokens,
    outputTokens,
    totalTokens: typeof u.total_tokens === "number" ? count(u.total_tokens) : inputTokens + outputTokens,
    cachedTokens: count(u.prompt_tokens_details?.cached_tokens),
    // OpenAI bills no cache writes; servers that proxy Anthropic report them here.
    cacheWriteTokens: count(u.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens: count(u.completion_tokens_details?.reasoning_tokens),
  };
}

const USAGE_KEY = '"usage"';
const COLON = 58;
const OPEN_BRACE = 123;

/**
 * Read `usage` out of an OpenAI JSON body without parsing the whole body: the body passes through
 * untouched, and a completion can be large while its usage object is small and near the end. The
 * last `"usage": {` counts (quotes inside JSON strings are escaped, so only a key reads so); it is
 * found by searching back from the end.
 */
export function extractUsageFromJson(text: string): Usage | null {
  for (let at = text.lastIndexOf(USAGE_KEY); at >= 0; at = at === 0 ? -1 : text.lastIndexOf(USAGE_KEY, at - 1)) {
    const colon = skipSpace(text, at + USAGE_KEY.length);
    if (text.charCodeAt(colon) !== COLON) continue;
    const start = skipSpace(text, colon + 1);
    if (text.charCodeAt(start) === OPEN_BRACE) return usageObjectAt(text, start);
  }
  return null;
}

/** The usage object whose `{` is at `start`, normalised; null when it does not parse. */
export function usageObjectAt(text: string, start: number): Usage | null {
  const end = valueEnd(text, start);
  if (end < 0) return null;
  try {
    return usageFromOpenAI(JSON.parse(text.slice(start, end)));
  } catch {
    return null;
  }
}
