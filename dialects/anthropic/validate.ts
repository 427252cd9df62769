import * as v from "valibot";
import { checkBody, modelId, roleMessage } from "../validate.ts";

/**
 * Request validation for the Anthropic surfaces: only what the gateway relies on (the model, the
 * messages, `max_tokens`, the stream flag). Anthropic judges the rest, and unknown fields pass.
 */
const messages = v.pipe(v.array(roleMessage, "must be an array of messages"), v.minLength(1, "must contain at least one message"));

const POSITIVE_INTEGER = "must be a positive integer";

const messagesRequest = v.looseObject({
  model: modelId,
  messages,
  max_tokens: v.pipe(v.number(POSITIVE_INTEGER), v.integer(POSITIVE_INTEGER), v.minValue(1, POSITIVE_INTEGER)),
  stream: v.optional(v.boolean("must be a boolean")),
});

/** `POST /v1/messages/count_tokens` takes a Messages body without `max_tokens` or `stream`. */
const countTokensRequest = v.looseObject({
  model: modelId,
  messages,
});

export function validateMessagesRequest(body: Record<string, unknown>): void {
  checkBody(messagesRequest, body);
}

export function validateCountTokensRequest(body: Record<string, unknown>): void {
  checkBody(countTokensRequest, body);
}
