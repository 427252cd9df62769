/**
 * The Gemini dialect (`gemini`): the format of Google's Gemini API (generativelanguage.googleapis.com),
 * of the google-genai SDKs and Gemini CLI, and of the `/v1beta/models/{model}:{method}` surfaces.
 */
import type { Dialect } from "../../core/dialect.ts";
import { parseGeminiError, renderGeminiError } from "./errors.ts";
import { estimateGeminiInputTokens, geminiMaxOutputTokens } from "./estimate.ts";
import { encodeGeminiModels } from "./models.ts";
import { encodeGeminiRequest, parseGeminiRequest } from "./request.ts";
import { encodeGeminiResponse, parseGeminiResponse } from "./response.ts";
import { bindGeminiRoute, geminiPassthroughBody } from "./route.ts";
import { GeminiStreamScanner } from "./scanner.ts";
import { GeminiStreamDecoder, GeminiStreamEncoder } from "./stream.ts";
import { geminiUsageOf } from "./usage.ts";
import { validateGenerateContentRequest } from "./validate.ts";

export { bindGeminiRoute } from "./route.ts";
export { estimateGeminiEmbedTokens, estimateGeminiInputTokens } from "./estimate.ts";
export { googleStatus, parseGeminiError, renderGeminiError, retryDelayOf } from "./errors.ts";
export { geminiUsageOf, usageFromGemini } from "./usage.ts";
export { validateBatchEmbedContentsRequest, validateCountTokensRequest, validateEmbedContentRequest, validateGenerateContentRequest } from "./validate.ts";

export const gemini: Dialect = {
  id: "gemini",
  label: "Gemini API",
  validate: validateGenerateContentRequest,
  model: (body) => body.model as string,
  stream: (body) => body.stream === true,
  parseRequest: parseGeminiRequest,
  encodeResponse: encodeGeminiResponse,
  streamEncoder: () => new GeminiStreamEncoder(),
  renderError: renderGeminiError,
  estimateInputTokens: estimateGeminiInputTokens,
  maxOutputTokens: geminiMaxOutputTokens,
  encodeModels: encodeGeminiModels,
  bindRoute: bindGeminiRoute,
  forwardHeaders: [],
  encodeRequest: encodeGeminiRequest,
  parseResponse: parseGeminiResponse,
  streamDecoder: () => new GeminiStreamDecoder(),
  parseError: parseGeminiError,
  usageOf: geminiUsageOf,
  scanner: () => new GeminiStreamScanner(),
  passthroughBody: (text, body) => geminiPassthroughBody(text, body),
  // Gemini streams always carry usage.
  addsStreamUsage: () => false,
};
