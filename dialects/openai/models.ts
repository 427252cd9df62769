import type { ModelEntry } from "../../core/types.ts";

/** `GET /v1/models` as OpenAI lists models, or the one `only` names. */
export function encodeOpenAIModels(models: readonly ModelEntry[], only: string | null, createdAt: number): string {
  const created = Math.floor(createdAt / 1000);
  const row = (m: ModelEntry) => ({ id: m.id, object: "model", created, owned_by: m.owned_by });
  if (only !== null) return JSON.stringify(row(models.find((m) => m.id === only)!));
  return JSON.stringify({ object: "list", data: models.map(row) });
}
