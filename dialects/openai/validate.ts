import * as v from "valibot";
import { check, modelId } from "../validate.ts";

/**
 * Request validation for the OpenAI surfaces. Only what the gateway itself relies on is checked
 * (the upstream judges the rest), and objects are loose: unknown fields pass through to the provider.
 */
const message = v.looseObject({
  role: v.string("must be a string"),
});

const chatRequest = v.looseObject({
  model: modelId,
  messages: v.pipe(v.array(message, "must be an array of messages"), v.minLength(1, "must contain at least one message")),
  stream: v.optional(v.nullable(v.boolean("must be a boolean"))),
  stream_options: v.optional(
    v.nullable(v.looseObject({ include_usage: v.optional(v.nullable(v.boolean("must be a boolean"))) }, "must be an object")),
  ),
});

const INPUT_MESSAGE = "must be a non-empty string, array of strings, or array of token arrays";
const embeddingInput = v.union(
  [
    v.pipe(v.string(), v.minLength(1, INPUT_MESSAGE)),
    v.pipe(v.array(v.string()), v.minLength(1, INPUT_MESSAGE)),
    v.pipe(v.array(v.number()), v.minLength(1, INPUT_MESSAGE)),
    v.pipe(v.array(v.array(v.number())), v.minLength(1, INPUT_MESSAGE)),
  ],
  INPUT_MESSAGE,
);

const embeddingsRequest = v.looseObject({
  model: modelId,
  input: embeddingInput,
});

export function validateChatRequest(body: Record<string, unknown>): void {
  check(chatRequest, body);
}

export function validateEmbeddingsRequest(body: Record<string, unknown>): void {
  check(embeddingsRequest, body);
}
