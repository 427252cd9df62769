import type { RequestBody } from "../../core/context.ts";
import { isObject } from "../json.ts";

/** About four characters of English a token, as for every dialect's estimate. */
const CHARS_PER_TOKEN = 4;
const TURN_FRAMING_CHARS = 16;

function partChars(part: unknown): number {
  if (!isObject(part)) return 0;
  if (typeof part.text === "string") return part.text.length;
  if (isObject(part.functionCall)) return JSON.stringify(part.functionCall.args ?? {}).length;
  if (isObject(part.functionResponse)) return JSON.stringify(part.functionResponse.response ?? {}).length;
  return 0;
}

function contentChars(content: unknown): number {
  let chars = 0;
  if (isObject(content) && Array.isArray(content.parts)) for (const part of content.parts) chars += partChars(part);
  return chars;
}

function requestChars(body: RequestBody): number {
  let chars = contentChars(body.systemInstruction);
  if (Array.isArray(body.contents)) for (const c of body.contents) chars += TURN_FRAMING_CHARS + contentChars(c);
  if (body.tools !== undefined) chars += JSON.stringify(body.tools).length;
  return chars;
}

/** Input tokens of a generateContent or countTokens body: system instruction, contents and tools. Depth-bounded by the parser. */
export function estimateGeminiInputTokens(body: RequestBody): number {
  const inner = isObject(body.generateContentRequest) ? body.generateContentRequest : null;
  return Math.ceil((inner === null ? requestChars(body) : requestChars(inner)) / CHARS_PER_TOKEN);
}

/** Input tokens of an embedContent or batchEmbedContents body. */
export function estimateGeminiEmbedTokens(body: RequestBody): number {
  let chars = contentChars(body.content);
  if (Array.isArray(body.requests)) for (const r of body.requests) if (isObject(r)) chars += contentChars(r.content);
  return Math.ceil(chars / CHARS_PER_TOKEN);
}

export function geminiMaxOutputTokens(body: RequestBody): number | null {
  const config = body.generationConfig;
  return isObject(config) && typeof config.maxOutputTokens === "number" && config.maxOutputTokens > 0 ? config.maxOutputTokens : null;
}
