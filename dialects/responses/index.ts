/**
 * The OpenAI Responses API dialect (`responses`): the format of `/v1/responses`, spoken by the
 * Vercel AI SDK's default OpenAI provider, `client.responses.create` and LangChain's
 * `useResponsesApi`, and natively by OpenAI. Errors and model lists are OpenAI's.
 */
import type { Dialect } from "../../core/dialect.ts";
import { withModel } from "../json.ts";
import { parseOpenAIError, renderOpenAIError } from "../openai/errors.ts";
import { encodeOpenAIModels } from "../openai/models.ts";
import { estimateResponsesInputTokens, responsesMaxOutputTokens } from "./estimate.ts";
import { encodeResponsesRequest, parseResponsesRequest } from "./request.ts";
import { encodeResponsesResponse, parseResponsesResponse } from "./response.ts";
import { ResponsesStreamScanner } from "./scanner.ts";
import { ResponsesStreamDecoder, ResponsesStreamEncoder } from "./stream.ts";
import { responsesUsageOf } from "./usage.ts";
import { validateResponsesRequest } from "./validate.ts";

export { usageFromResponses } from "./usage.ts";

export const responses: Dialect = {
  id: "responses",
  label: "OpenAI Responses",
  validate: validateResponsesRequest,
  model: (body) => body.model as string,
  stream: (body) => body.stream === true,
  parseRequest: parseResponsesRequest,
  encodeResponse: encodeResponsesResponse,
  streamEncoder: (body) => new ResponsesStreamEncoder(body),
  renderError: renderOpenAIError,
  estimateInputTokens: estimateResponsesInputTokens,
  maxOutputTokens: responsesMaxOutputTokens,
  encodeModels: encodeOpenAIModels,
  forwardHeaders: [],
  encodeRequest: encodeResponsesRequest,
  parseResponse: parseResponsesResponse,
  streamDecoder: () => new ResponsesStreamDecoder(),
  parseError: parseOpenAIError,
  usageOf: responsesUsageOf,
  scanner: () => new ResponsesStreamScanner(),
  passthroughBody: (text, body, options) => withModel(text, body, options.model),
  // Responses streams always end with the usage, in response.completed.
  addsStreamUsage: () => false,
};
