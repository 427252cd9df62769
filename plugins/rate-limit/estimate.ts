import type { RequestContext } from "../../core/context.ts";

/** About four characters of English per token, as OpenAI's own guidance estimates. */
const CHARS_PER_TOKEN = 4;
/** Role and separators each chat message adds, in characters (about four tokens). */
const MESSAGE_FRAMING_CHARS = 16;

function textLength(content: unknown): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) {
    if (part !== null && typeof part === "object" && typeof (part as { text?: unknown }).text === "string") {
      length += ((part as { text: string }).text).length;
    }
  }
  return length;
}

function inputLength(input: unknown): number {
  if (typeof input === "string") return input.length;
  if (!Array.isArray(input)) return 0;
  let length = 0;
  for (const item of input) {
    if (typeof item === "string") length += item.length;
    // An array of token ids is already counted in tokens.
    else if (typeof item === "number") length += CHARS_PER_TOKEN;
    else if (Array.isArray(item)) length += item.length * CHARS_PER_TOKEN;
  }
  return length;
}

/**
 * Tokens a request will likely use, before it is sent: its text at four characters a token, plus
 * the output it reserves (`max_completion_tokens` / `max_tokens`, times `n`). It is corrected from
 * the real usage once the response is complete, so it only has to be cheap and roughly right.
 * Images and audio count nothing here; their real usage is charged by the correction.
 */
export function estimateRequestTokens(ctx: RequestContext): number {
  const body = ctx.body;
  if (body === null) return 0;
  let chars = 0;
  let output = 0;
  if (ctx.surface === "embeddings") {
    chars = inputLength(body.input);
  } else {
    const messages = body.messages as unknown[] | undefined;
    if (Array.isArray(messages)) {
      for (const message of messages) {
        if (message === null || typeof message !== "object") continue;
        const m = message as { content?: unknown; tool_calls?: unknown };
        chars += MESSAGE_FRAMING_CHARS + textLength(m.content);
        if (m.tool_calls !== undefined) chars += JSON.stringify(m.tool_calls).length;
      }
    }
    if (body.tools !== undefined) chars += JSON.stringify(body.tools).length;
    const reserved = body.max_completion_tokens ?? body.max_tokens;
    if (typeof reserved === "number" && reserved > 0) {
      const n = typeof body.n === "number" && body.n > 1 ? body.n : 1;
      output = reserved * n;
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + output;
}
