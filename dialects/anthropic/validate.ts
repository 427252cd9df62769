import * as v from "valibot";
import { check, modelId } from "../validate.ts";

/**
 * Request validation for the Anthropic surfaces: only what the gateway relies on (the upstream
 * judges the rest); unknown fields pass through.
 */
const message = v.looseObject({
  role: v.picklist(["user", "assistant", "system"], 'must be "user", "assistant" or "system"'),
  content: v.union([v.string(), v.array(v.looseObject({ type: v.string("must be a string") }, "must be a content block object"))], "must be a string or an array of content blocks"),
});

const messages = v.pipe(v.array(message, "must be an array of messages"), v.minLength(1, "must contain at least one message"));
const system = v.optional(v.union([v.string(), v.array(v.looseObject({ type: v.string() }))], "must be a string or an array of text blocks"));

const messagesRequest = v.looseObject({
  model: modelId,
  messages,
  max_tokens: v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(1, "must be at least 1")),
  system,
  stream: v.optional(v.boolean("must be a boolean")),
});

const countTokensRequest = v.looseObject({ model: modelId, messages, system });

export function validateMessagesRequest(body: Record<string, unknown>): void {
  check(messagesRequest, body);
}

export function validateCountTokensRequest(body: Record<string, unknown>): void {
  check(countTokensRequest, body);
}
