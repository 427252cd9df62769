import * as v from "valibot";
import { check, modelId } from "../validate.ts";

/**
 * Request validation for `/v1/responses`: only what the gateway relies on (the upstream judges
 * the rest); unknown fields pass through. `input` may be absent where a stored prompt or an
 * earlier response supplies it, which only a Responses upstream can.
 */
const responsesRequest = v.looseObject({
  model: modelId,
  input: v.optional(v.union([v.string(), v.array(v.looseObject({}, "must be an input item object"))], "must be a string or an array of input items")),
  instructions: v.optional(v.nullable(v.string("must be a string"))),
  tools: v.optional(v.nullable(v.array(v.looseObject({ type: v.string("must be a string") }, "must be a tool object"), "must be an array of tools"))),
  stream: v.optional(v.nullable(v.boolean("must be a boolean"))),
  max_output_tokens: v.optional(v.nullable(v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(1, "must be at least 1")))),
});

export function validateResponsesRequest(body: Record<string, unknown>): void {
  check(responsesRequest, body);
}
