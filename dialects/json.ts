/** Small readers for client and upstream JSON, whose shape nothing guarantees. */
import { withTopLevel } from "../core/json-text.ts";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function stringOr(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function numberOr(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A JSON object body, or null for anything else (an HTML error page, a truncated body …). */
export function parseObjectOrNull(text: string): Json | null {
  if (text.length === 0 || text.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** A client's exact body text with only its top-level `model` changed, when it differs. */
export function withModel(text: string, body: Json, model: string): string {
  return body.model === model ? text : withTopLevel(text, "model", JSON.stringify(model));
}
