/**
 * Token estimates for Anthropic bodies before any upstream sees them, at about four characters a
 * token (as for OpenAI bodies): limits and budgets correct them from the real usage afterwards.
 * Images, PDFs and signatures count nothing here; their real cost arrives with the usage.
 */
import type { RequestBody } from "../../core/context.ts";
import { CHARS_PER_TOKEN } from "../openai/estimate.ts";

/** Role and separators each message adds, in characters (about four tokens). */
const MESSAGE_FRAMING_CHARS = 16;

/** Members whose text is not read by the model as text (media bytes, ids, markers). */
const UNREAD = new Set(["data", "signature", "media_type", "type", "id", "tool_use_id", "cache_control", "source"]);

/**
 * Characters of text in a JSON value: string values and keys, with media, ids and signatures left
 * out. Iterative, so a hostile body nested thousands deep costs time in proportion to its size,
 * never a stack overflow.
 */
export function textChars(value: unknown): number {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === "string") chars += item.length;
    else if (typeof item === "number" || typeof item === "boolean") chars += 2;
    else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else if (item !== null && typeof item === "object") {
      for (const key in item) {
        if (UNREAD.has(key)) continue;
        chars += key.length;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return chars;
}

/** System prompt, messages (text, tool inputs and results, thinking) and tool definitions. */
export function estimateAnthropicInputTokens(body: RequestBody): number {
  let chars = textChars(body.system) + textChars(body.tools);
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      const content = message !== null && typeof message === "object" ? (message as { content?: unknown }).content : undefined;
      chars += MESSAGE_FRAMING_CHARS + textChars(content);
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** `max_tokens`, which Anthropic requires. */
export function anthropicMaxOutputTokens(body: RequestBody): number | null {
  const reserved = body.max_tokens;
  return typeof reserved === "number" && reserved > 0 ? reserved : null;
}
