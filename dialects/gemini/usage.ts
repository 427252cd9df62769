import { topLevelMember } from "../../core/json-text.ts";
import type { Usage } from "../../core/types.ts";
import { isObject } from "../json.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Gemini's `usageMetadata`, normalised the OpenAI way: `candidatesTokenCount` leaves out thinking
 * (`thoughtsTokenCount`), which neutral output includes; `cachedContentTokenCount` is already part
 * of `promptTokenCount`, and tool-use prompt tokens are input too.
 */
export function usageFromGemini(raw: unknown): Usage | null {
  if (!isObject(raw)) return null;
  const thoughts = count(raw.thoughtsTokenCount);
  const inputTokens = count(raw.promptTokenCount) + count(raw.toolUsePromptTokenCount);
  const outputTokens = count(raw.candidatesTokenCount) + thoughts;
  return {
    inputTokens,
    outputTokens,
    totalTokens: Math.max(count(raw.totalTokenCount), inputTokens + outputTokens),
    cachedTokens: Math.min(count(raw.cachedContentTokenCount), inputTokens),
    cacheWriteTokens: 0,
    reasoningTokens: Math.min(thoughts, outputTokens),
  };
}

/** Gemini's `usageMetadata` from neutral usage (Gemini has no cache-write count). */
export function usageToGemini(usage: Usage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - usage.reasoningTokens),
    totalTokenCount: usage.totalTokens,
  };
  if (usage.cachedTokens > 0) out.cachedContentTokenCount = usage.cachedTokens;
  if (usage.reasoningTokens > 0) out.thoughtsTokenCount = usage.reasoningTokens;
  return out;
}

/** `usageMetadata` from a whole answer's (or one stream chunk's) text, without parsing the rest. */
export function geminiUsageOf(text: string): Usage | null {
  const member = topLevelMember(text, "usageMetadata");
  if (member === null) return null;
  try {
    return usageFromGemini(JSON.parse(text.slice(member.valueStart, member.valueEnd)));
  } catch {
    return null;
  }
}
