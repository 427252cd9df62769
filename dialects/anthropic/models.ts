import type { ModelEntry } from "../../core/types.ts";

/** `GET /v1/models` as Anthropic lists models (one page holds them all), or the one `only` names. */
export function encodeAnthropicModels(models: readonly ModelEntry[], only: string | null, createdAt: number): string {
  const created_at = new Date(createdAt).toISOString();
  const row = (m: ModelEntry) => ({ type: "model", id: m.id, display_name: m.id, created_at });
  if (only !== null) return JSON.stringify(row(models.find((m) => m.id === only)!));
  const data = models.map(row);
  return JSON.stringify({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
}
