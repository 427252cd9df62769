/**
 * OpenAI embeddings requests (the `/v1/embeddings` surface) as Gemini `batchEmbedContents` calls,
 * and Gemini's answer as an OpenAI embeddings list.
 */
import { badRequest } from "../core/errors.ts";

type Json = Record<string, unknown>;

function inputsOf(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.every((item) => typeof item === "string")) return input as string[];
  throw badRequest("Gemini embeds text only: 'input' must be a string or an array of strings (token arrays cannot be translated).", "input", "unsupported_parameter");
}

/** The batchEmbedContents body for an OpenAI embeddings body, for `models/{model}`. */
export function batchEmbedBody(openaiBody: Json, model: string): string {
  const name = modelName(model);
  const dimensions = typeof openaiBody.dimensions === "number" ? openaiBody.dimensions : undefined;
  const requests = inputsOf(openaiBody.input).map((text) => {
    const request: Json = { model: name, content: { parts: [{ text }] } };
    if (dimensions !== undefined) request.outputDimensionality = dimensions;
    return request;
  });
  return JSON.stringify({ requests });
}

function base64Of(values: readonly number[]): string {
  const vector = Float32Array.from(values);
  const bytes = new Uint8Array(vector.buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Gemini's `{"embeddings":[{"values":[…]}]}` as an OpenAI embeddings list. Gemini reports no token
 * usage for embeddings, so the list carries none and the request has no usage to bill.
 */
export function openaiEmbeddingsFrom(text: string, openaiBody: Json, model: string): string {
  const parsed = JSON.parse(text) as Json;
  const embeddings = Array.isArray(parsed.embeddings) ? parsed.embeddings : [];
  const base64 = openaiBody.encoding_format === "base64";
  const data = embeddings.map((item, index) => {
    const values = item !== null && typeof item === "object" && Array.isArray((item as Json).values) ? ((item as Json).values as number[]) : [];
    return { object: "embedding", index, embedding: base64 ? base64Of(values) : values };
  });
  return JSON.stringify({ object: "list", data, model });
}

/** The resource name of a model: `models/{id}`, unless the id already names a resource (`tunedModels/…`). */
export function modelName(model: string): string {
  return model.startsWith("models/") || model.startsWith("tunedModels/") ? model : `models/${model}`;
}
