/**
 * The OpenAI chat completions dialect (`openai`): the format of OpenAI and of every
 * OpenAI-compatible server, and of the `/v1/chat/completions` surface. Embeddings bodies share its
 * errors and pass through unchanged (see `validateEmbeddingsRequest`).
 */
import type { RequestBody } from "../../core/context.ts";
import type { Dialect, EncodeOptions } from "../../core/dialect.ts";
import { withTopLevel } from "../../core/json-text.ts";
import { encodeOpenAIModels } from "./models.ts";
import { isObject } from "../json.ts";
import { parseOpenAIError, renderOpenAIError } from "./errors.ts";
import { chatMaxOutputTokens, estimateChatInputTokens } from "./estimate.ts";
import { encodeOpenAIRequest, parseOpenAIRequest } from "./request.ts";
import { encodeOpenAIResponse, parseOpenAIResponse } from "./response.ts";
import { OpenAIStreamScanner } from "./scanner.ts";
import { OpenAIStreamDecoder, OpenAIStreamEncoder } from "./stream.ts";
import { extractUsageFromJson } from "./usage.ts";
import { validateChatRequest } from "./validate.ts";

export { validateChatRequest, validateEmbeddingsRequest } from "./validate.ts";
export { estimateEmbeddingsInputTokens } from "./estimate.ts";
export { extractUsageFromJson, usageFromOpenAI } from "./usage.ts";
export { OpenAIStreamScanner } from "./scanner.ts";
export { parseOpenAIError, renderOpenAIError } from "./errors.ts";

function asksUsage(body: RequestBody): boolean {
  const options = body.stream_options;
  return isObject(options) && options.include_usage === true;
}

/** The client's exact text with only the model (and the stream-usage option) spliced in. */
function passthroughBody(text: string, body: RequestBody, options: EncodeOptions): string {
  let out = body.model === options.model ? text : withTopLevel(text, "model", JSON.stringify(options.model));
  if (options.streamUsage && openai.addsStreamUsage(body)) {
    const existing = isObject(body.stream_options) ? body.stream_options : {};
    out = withTopLevel(out, "stream_options", JSON.stringify({ ...existing, include_usage: true }));
  }
  return out;
}

export const openai: Dialect = {
  id: "openai",
  label: "OpenAI chat completions",
  validate: validateChatRequest,
  model: (body) => body.model as string,
  stream: (body) => body.stream === true,
  parseRequest: parseOpenAIRequest,
  encodeResponse: encodeOpenAIResponse,
  streamEncoder: (body) => new OpenAIStreamEncoder(body),
  renderError: renderOpenAIError,
  estimateInputTokens: estimateChatInputTokens,
  maxOutputTokens: chatMaxOutputTokens,
  encodeModels: encodeOpenAIModels,
  forwardHeaders: [],
  encodeRequest: encodeOpenAIRequest,
  parseResponse: parseOpenAIResponse,
  streamDecoder: () => new OpenAIStreamDecoder(),
  parseError: parseOpenAIError,
  usageOf: extractUsageFromJson,
  scanner: (stripUsage) => new OpenAIStreamScanner(stripUsage),
  passthroughBody,
  addsStreamUsage: (body) => body.stream === true && !asksUsage(body),
};
