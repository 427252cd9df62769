/**
 * The Anthropic Messages dialect (`anthropic`): the format of Anthropic's API and of the
 * `/v1/messages` surface, both as the client's format and as a provider's.
 */
import type { Dialect } from "../../core/dialect.ts";
import { parseAnthropicError, renderAnthropicError } from "./errors.ts";
import { anthropicMaxOutputTokens, estimateAnthropicInputTokens } from "./estimate.ts";
import { AnthropicStreamScanner, anthropicPassthroughBody, anthropicUsageOf } from "./passthrough.ts";
import { encodeAnthropicRequest } from "./request-encode.ts";
import { parseAnthropicRequest } from "./request.ts";
import { encodeAnthropicResponse, parseAnthropicResponse } from "./response.ts";
import { AnthropicStreamDecoder } from "./stream-decoder.ts";
import { AnthropicStreamEncoder } from "./stream-encoder.ts";
import { validateMessagesRequest } from "./validate.ts";

export { validateCountTokensRequest, validateMessagesRequest } from "./validate.ts";
export { parseAnthropicError, renderAnthropicError, anthropicErrorType } from "./errors.ts";
export { usageFromAnthropic, usageToAnthropic } from "./usage.ts";
export { AnthropicStreamScanner, anthropicUsageOf } from "./passthrough.ts";
export { AnthropicStreamDecoder } from "./stream-decoder.ts";
export { AnthropicStreamEncoder } from "./stream-encoder.ts";
export { DEFAULT_MAX_TOKENS } from "./request-encode.ts";

/** The body of a `count_tokens` answer, for a count the gateway made itself. */
export function anthropicTokenCount(inputTokens: number): string {
  return JSON.stringify({ input_tokens: inputTokens });
}

export const anthropic: Dialect = {
  id: "anthropic",
  label: "Anthropic Messages",
  validate: validateMessagesRequest,
  model: (body) => body.model as string,
  stream: (body) => body.stream === true,
  parseRequest: parseAnthropicRequest,
  encodeResponse: encodeAnthropicResponse,
  streamEncoder: (body) => new AnthropicStreamEncoder(body),
  renderError: renderAnthropicError,
  estimateInputTokens: estimateAnthropicInputTokens,
  maxOutputTokens: anthropicMaxOutputTokens,
  forwardHeaders: ["anthropic-version", "anthropic-beta"],
  encodeRequest: encodeAnthropicRequest,
  parseResponse: parseAnthropicResponse,
  streamDecoder: () => new AnthropicStreamDecoder(),
  parseError: parseAnthropicError,
  usageOf: anthropicUsageOf,
  // Anthropic streams always carry usage, so there is never a usage-only event to strip.
  scanner: () => new AnthropicStreamScanner(),
  passthroughBody: anthropicPassthroughBody,
  addsStreamUsage: () => false,
};
