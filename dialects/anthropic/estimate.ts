import type { RequestBody } from "../../core/context.ts";
import { isObject } from "../json.ts";

/** About four characters of English a token, as for every dialect's estimate. */
const CHARS_PER_TOKEN = 4;
const MESSAGE_FRAMING_CHARS = 16;

function blockChars(block: unknown): number {
  if (typeof block === "string") return block.length;
  if (!isObject(block)) return 0;
  if (typeof block.text === "string") return block.text.length;
  if (typeof block.thinking === "string") return block.thinking.length;
  if (block.type === "tool_use") return JSON.stringify(block.input ?? {}).length;
  if (block.type === "tool_result") {
    const content = block.content;
    if (typeof content === "string") return content.length;
    let chars = 0;
    if (Array.isArray(content)) for (const item of content) chars += blockChars(item);
    return chars;
  }
  return 0;
}

function contentChars(content: unknown): number {
  if (typeof content === "string") return content.length;
  let chars = 0;
  if (Array.isArray(content)) for (const block of content) chars += blockChars(block);
  return chars;
}

/** Input tokens of a Messages or count_tokens body: system, messages and tools. The body is depth-bounded by the parser. */
export function estimateAnthropicInputTokens(body: RequestBody): number {
  let chars = contentChars(body.system);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObject(m)) chars += MESSAGE_FRAMING_CHARS + contentChars(m.content);
  if (body.tools !== undefined) chars += JSON.stringify(body.tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export function anthropicMaxOutputTokens(body: RequestBody): number | null {
  return typeof body.max_tokens === "number" && body.max_tokens > 0 ? body.max_tokens : null;
}
