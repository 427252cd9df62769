/**
 * Token estimates for OpenAI bodies, before any upstream sees them: about four characters of
 * English a token (OpenAI's own rule of thumb). Limits correct them from the real usage once the
 * answer is complete, so they only have to be cheap and roughly right. Images and audio count
 * nothing here; their real usage is charged by the correction.
 */
import type { RequestBody } from "../../core/context.ts";
import { isObject } from "../json.ts";

export const CHARS_PER_TOKEN = 4;
/** Role and separators each chat message adds, in characters (about four tokens). */
const MESSAGE_FRAMING_CHARS = 16;

/** Characters of text in a string or an array of content parts. */
export function textLength(content: unknown): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) if (isObject(part) && typeof part.text === "string") length += part.text.length;
  return length;
}

export function estimateChatInputTokens(body: RequestBody): number {
  let chars = 0;
  const messages = body.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      chars += MESSAGE_FRAMING_CHARS + textLength(message.content);
      if (message.tool_calls !== undefined) chars += JSON.stringify(message.tool_calls).length;
    }
  }
  if (body.tools !== undefined) chars += JSON.stringify(body.tools).length;
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export function estimateEmbeddingsInputTokens(body: RequestBody): number {
  const input = body.input;
  if (typeof input === "string") return Math.ceil(input.length / CHARS_PER_TOKEN);
  if (!Array.isArray(input)) return 0;
  let chars = 0;
  for (const item of input) {
    if (typeof item === "string") chars += item.length;
    // An array of token ids is already counted in tokens.
    else if (typeof item === "number") chars += CHARS_PER_TOKEN;
    else if (Array.isArray(item)) chars += item.length * CHARS_PER_TOKEN;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** `max_completion_tokens` (or the older `max_tokens`), times `n` choices. */
export function chatMaxOutputTokens(body: RequestBody): number | null {
  const reserved = body.max_completion_tokens ?? body.max_tokens;
  if (typeof reserved !== "number" || !(reserved > 0)) return null;
  const n = typeof body.n === "number" && body.n > 1 ? body.n : 1;
  return reserved * n;
}
