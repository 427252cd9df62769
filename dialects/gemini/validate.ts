import * as v from "valibot";
import { check, modelId } from "../validate.ts";

/**
 * Request validation for the Gemini surfaces: only what the gateway relies on (the upstream judges
 * the rest); unknown fields pass through. The model and the stream flag come from the path and are
 * bound into the body before this runs (see `bindGeminiRoute`).
 */
const part = v.looseObject({}, "must be a part object");
const content = v.looseObject({
  role: v.optional(v.picklist(["user", "model", "function"], 'must be "user" or "model"')),
  parts: v.array(part, "must be an array of parts"),
}, "must be a content object");
const contents = v.pipe(v.array(content, "must be an array of contents"), v.minLength(1, "must contain at least one content"));
const systemInstruction = v.optional(v.looseObject({ parts: v.array(part, "must be an array of parts") }, "must be a content object"));

const generateContentRequest = v.looseObject({
  model: modelId,
  contents,
  systemInstruction,
  tools: v.optional(v.array(v.looseObject({}, "must be a tool object"), "must be an array of tools")),
  generationConfig: v.optional(v.looseObject({}, "must be an object")),
});

const countTokensRequest = v.union([
  v.looseObject({ model: modelId, contents }),
  v.looseObject({ model: modelId, generateContentRequest: v.looseObject({ contents }, "must be a GenerateContentRequest") }),
], "must carry 'contents' or 'generateContentRequest'");

const embedContentRequest = v.looseObject({ model: modelId, content });
const batchEmbedContentsRequest = v.looseObject({
  model: modelId,
  requests: v.pipe(v.array(v.looseObject({ content }, "must be an EmbedContentRequest"), "must be an array of requests"), v.minLength(1, "must contain at least one request")),
});

export function validateGenerateContentRequest(body: Record<string, unknown>): void {
  check(generateContentRequest, body);
}

export function validateCountTokensRequest(body: Record<string, unknown>): void {
  // The union's own message would hide which field is wrong; check the shape the body has.
  check(body.generateContentRequest !== undefined && body.contents === undefined ? countTokensRequest.options[1] : countTokensRequest.options[0], body);
}

export function validateEmbedContentRequest(body: Record<string, unknown>): void {
  check(embedContentRequest, body);
}

export function validateBatchEmbedContentsRequest(body: Record<string, unknown>): void {
  check(batchEmbedContentsRequest, body);
}
