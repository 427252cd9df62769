import type { ModelEntry } from "../../core/types.ts";

const METHODS = ["generateContent", "streamGenerateContent", "countTokens"];

/** `GET /v1beta/models` as Gemini lists models (`models/{id}` names, one page), or the one `only` names. */
export function encodeGeminiModels(models: readonly ModelEntry[], only: string | null): string {
  const row = (m: ModelEntry) => ({ name: `models/${m.id}`, displayName: m.id, supportedGenerationMethods: METHODS });
  if (only !== null) return JSON.stringify(row(models.find((m) => m.id === only)!));
  return JSON.stringify({ models: models.map(row) });
}
