import type { RequestBody } from "../../core/context.ts";
import { CHARS_PER_TOKEN, textLength } from "../openai/estimate.ts";
import { isObject } from "../json.ts";

/** Characters each input item adds besides its text (role, separators), about four tokens. */
const ITEM_FRAMING_CHARS = 16;

/** Input tokens of a Responses body: instructions, input items (text, call arguments, outputs) and tools. */
export function estimateResponsesInputTokens(body: RequestBody): number {
  let chars = typeof body.instructions === "string" ? body.instructions.length : 0;
  const input = body.input;
  if (typeof input === "string") chars += input.length;
  else if (Array.isArray(input)) {
    for (const item of input) {
      if (!isObject(item)) continue;
      chars += ITEM_FRAMING_CHARS + textLength(item.content);
      if (typeof item.arguments === "string") chars += item.arguments.length;
      if (item.output !== undefined) chars += typeof item.output === "string" ? item.output.length : textLength(item.output);
    }
  }
  if (body.tools != null) chars += JSON.stringify(body.tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export function responsesMaxOutputTokens(body: RequestBody): number | null {
  return typeof body.max_output_tokens === "number" && body.max_output_tokens > 0 ? body.max_output_tokens : null;
}
