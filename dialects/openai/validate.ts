import * as v from "valibot";
import { badRequest } from "../../core/errors.ts";

/**
 * Request validation for the OpenAI surfaces. Only what the gateway itself relies on is checked
 * (the upstream judges the rest), and objects are loose: unknown fields pass through to the provider.
 */
const message = v.looseObject({
  role: v.string("must be a string"),
});

/**
 * The model id travels on in response headers (`x-switchyard-model`) and log lines, so control
 * characters, which no provider uses in a model id, are refused here rather than breaking either.
 */
const modelId = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  // deno-lint-ignore no-control-regex
  v.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"),
);

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

function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = "";
  for (const item of issue.path ?? []) {
    const key = item.key;
    path += typeof key === "number" ? `[${key}]` : path.length === 0 ? String(key) : `.${String(key)}`;
  }
  return path;
}

function check(schema: v.GenericSchema, body: Record<string, unknown>): void {
  const result = v.safeParse(schema, body, { abortEarly: true });
  if (result.success) return;
  const issue = result.issues[0];
  const path = pathOf(issue);
  const missing = issue.input === undefined;
  const text = missing ? `Missing required parameter: '${path}'.` : `Invalid value for '${path}': ${issue.message}.`;
  throw badRequest(text, path || null, missing ? "missing_required_parameter" : "invalid_value");
}

export function validateChatRequest(body: Record<string, unknown>): void {
  check(chatRequest, body);
}

export function validateEmbeddingsRequest(body: Record<string, unknown>): void {
  check(embeddingsRequest, body);
}
