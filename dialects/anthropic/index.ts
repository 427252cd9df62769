/**
 * The Anthropic Messages dialect (`anthropic`): the format of Anthropic's API, of Claude Code and
 * the Anthropic SDKs, and of the `/v1/messages` and `/v1/messages/count_tokens` surfaces.
 */
import type { Dialect } from "../../core/dialect.ts";
import { withModel } from "../json.ts";
import { encodeAnthropicModels } from "./models.ts";
import { parseAnthropicError, renderAnthropicError } from "./errors.ts";
import { anthropicMaxOutputTokens, estimateAnthropicInputTokens } from "./estimate.ts";
import { encodeAnthropicRequest, parseAnthropicRequest } from "./request.ts";
import { encodeAnthropicResponse, parseAnthropicResponse } from "./response.ts";
import { AnthropicStreamScanner } from "./scanner.ts";
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from "./stream.ts";
import { anthropicUsageOf } from "./usage.ts";
import { validateMessagesRequest } from "./validate.ts";

export { validateCountTokensRequest, validateMessagesRequest } from "./validate.ts";
export { estimateAnthropicInputTokens } from "./estimate.ts";
export { parseAnthropicError, renderAnthropicError } from "./errors.ts";
export { DEFAULT_MAX_TOKENS } from "./request.ts";
export { anthropicUsageOf, usageFromAnthropic } from "./usage.ts";

export const anthropic: Dialect = {
  id: "anthropic",
  label: "Anthropic Messages",
  validate: validateMessagesRequest,
  model: (body) => body.model as string,
  stream: (body) => body.stream === true,
  parseRequest: parseAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  streamEncoder: () => new AnthropicStreamEncoder(),
  renderError: renderAnthropicError,
  estimateInputTokens: estimateAnthropicInputTokens,
  maxOutputTokens: anthropicMaxOutputTokens,
  encodeModels: encodeAnthropicModels,
  forwardHeaders: ["anthropic-version", "anthropic-beta"],
  encodeRequest: encodeAnthropicRequest,
  parseResponse: parseAnthropicResponse,
  streamDecoder: () => new AnthropicStreamDecoder(),
  parseError: parseAnthropicError,
  usageOf: anthropicUsageOf,
  scanner: () => new AnthropicStreamScanner(),
  passthroughBody: (text, body, options) => withModel(text, body, options.model),
  // Anthropic streams always carry usage.
  addsStreamUsage: () => false,
};
