/**
 * The Bedrock Converse dialect (`bedrock`): the format of Amazon Bedrock's Converse API
 * (`/model/{modelId}/converse` and `/converse-stream`), spoken by the `bedrock` provider. No
 * surface serves it to clients: its streams are the binary AWS event stream, which a text stream
 * encoder cannot write, so its ingress half reads and writes whole bodies only.
 */
import type { Dialect } from "../../core/dialect.ts";
import type { ModelEntry } from "../../core/types.ts";
import { badRequest } from "../../core/errors.ts";
import { isObject } from "../json.ts";
import { parseBedrockError, renderBedrockError } from "./errors.ts";
import { encodeBedrockRequest, parseBedrockRequest } from "./request.ts";
import { encodeBedrockResponse, parseBedrockResponse } from "./response.ts";
import { BedrockStreamScanner } from "./scanner.ts";
import { BedrockStreamDecoder } from "./stream.ts";
import { bedrockUsageOf } from "./usage.ts";

export { bedrockErrorType, parseBedrockError } from "./errors.ts";
export { encodeEvent, encodeException, EventStreamFramer } from "./eventstream.ts";
export { usageFromBedrock } from "./usage.ts";

const CHARS_PER_TOKEN = 4;

function validateConverse(body: Record<string, unknown>): void {
  if (typeof body.modelId !== "string" || body.modelId.length === 0) throw badRequest("A Converse request names its model as `modelId`.", "modelId", "invalid_value");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw badRequest("A Converse request has a non-empty `messages` array.", "messages", "invalid_value");
}

export const bedrock: Dialect = {
  id: "bedrock",
  label: "Bedrock Converse",
  validate: validateConverse,
  model: (body) => body.modelId as string,
  // Streaming is the path (`/converse-stream`), never a body field.
  stream: () => false,
  parseRequest: parseBedrockRequest,
  encodeResponse: (response) => encodeBedrockResponse(response),
  streamEncoder: () => {
    throw new TypeError("Bedrock Converse streams are binary event streams; no surface serves them to clients.");
  },
  renderError: renderBedrockError,
  estimateInputTokens: (body) => Math.ceil((JSON.stringify(body.system ?? "").length + JSON.stringify(body.messages ?? []).length + JSON.stringify(body.toolConfig ?? "").length) / CHARS_PER_TOKEN),
  maxOutputTokens: (body) => (isObject(body.inferenceConfig) && typeof body.inferenceConfig.maxTokens === "number" ? body.inferenceConfig.maxTokens : null),
  // Bedrock's ListFoundationModels shape.
  encodeModels: (models: readonly ModelEntry[], only: string | null) => {
    const summary = (m: ModelEntry) => ({ modelId: m.id, modelName: m.id, providerName: m.owned_by, inferenceTypesSupported: ["ON_DEMAND"] });
    if (only !== null) return JSON.stringify({ modelDetails: summary(models.find((m) => m.id === only) ?? { id: only, owned_by: "switchyard" }) });
    return JSON.stringify({ modelSummaries: models.map(summary) });
  },
  forwardHeaders: [],
  encodeRequest: encodeBedrockRequest,
  parseResponse: parseBedrockResponse,
  streamDecoder: (model?: string) => new BedrockStreamDecoder(model),
  parseError: parseBedrockError,
  usageOf: bedrockUsageOf,
  scanner: () => new BedrockStreamScanner(),
  // The model is the URL's, not the body's: the client's text goes on as it is.
  passthroughBody: (text) => text,
  addsStreamUsage: () => false,
};
