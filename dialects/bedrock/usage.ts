import type { Usage } from "../../core/types.ts";
import { isObject, numberOr, parseObjectOrNull } from "../json.ts";

/**
 * Converse `usage` in the gateway's terms. Bedrock counts cache reads and writes apart from
 * `inputTokens` (as Anthropic does); the gateway's input includes them.
 */
export function usageFromBedrock(raw: unknown): Usage | null {
  if (!isObject(raw)) return null;
  const fresh = numberOr(raw.inputTokens);
  const output = numberOr(raw.outputTokens);
  if (fresh === null && output === null) return null;
  const cached = numberOr(raw.cacheReadInputTokens) ?? 0;
  const written = numberOr(raw.cacheWriteInputTokens) ?? 0;
  const input = (fresh ?? 0) + cached + written;
  return { inputTokens: input, outputTokens: output ?? 0, totalTokens: input + (output ?? 0), cachedTokens: cached, cacheWriteTokens: written, reasoningTokens: 0 };
}

export function usageToBedrock(usage: Usage): Record<string, number> {
  const fresh = usage.inputTokens - usage.cachedTokens - usage.cacheWriteTokens;
  const out: Record<string, number> = { inputTokens: fresh, outputTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens };
  if (usage.cachedTokens > 0) out.cacheReadInputTokens = usage.cachedTokens;
  if (usage.cacheWriteTokens > 0) out.cacheWriteInputTokens = usage.cacheWriteTokens;
  return out;
}

/** Usage of a whole Converse answer. Its `usage` is small and near the end, so the body is parsed. */
export function bedrockUsageOf(text: string): Usage | null {
  return usageFromBedrock(parseObjectOrNull(text)?.usage);
}
