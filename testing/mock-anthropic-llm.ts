/**
 * The deterministic model of providers/mock-llm.ts speaking Anthropic Messages: `message` JSON,
 * the documented SSE event sequence, token counts, and prompt-cache accounting (a prefix marked
 * with `cache_control` is written to the cache the first time and read from it after).
 */
import { estimateTokens, mockAnswer, type MockAnswer, type MockChatOptions, nextId, promptTokensOf, textOf } from "../providers/mock-llm.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

export interface MockAnthropicReplyOptions extends MockChatOptions {
  /** Characters per text delta. Default 12. */
  chunkChars?: number;
}

/** Prompt prefixes the mock has cached, so a second identical prefix reads what the first wrote. */
export class MockPromptCache {
  private readonly seen = new Set<string>();
  constructor(private readonly limit = 1000) {}

  /** Whether `key` was cached before; caches it now either way. */
  hit(key: string): boolean {
    if (this.seen.has(key)) return true;
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.add(key);
    return false;
  }
}

function blockTokens(block: unknown): number {
  if (typeof block === "string") return estimateTokens(block);
  if (!isObject(block)) return 0;
  switch (block.type) {
    case "text":
      return estimateTokens(typeof block.text === "string" ? block.text : "");
    case "tool_use":
      return 4 + estimateTokens(JSON.stringify(block.input ?? {}));
    case "tool_result":
      return 4 + estimateTokens(textOf(block.content));
    case "thinking":
      return estimateTokens(typeof block.thinking === "string" ? block.thinking : "");
    case "image":
    case "document":
      // Anthropic bills images by size; a fixed cost keeps the mock deterministic.
      return 1000;
    default:
      return 0;
  }
}

function blocksOf(content: unknown): unknown[] {
  return Array.isArray(content) ? content : [content];
}

/**
 * The prompt in Anthropic's cache order (tools, system, messages), as elements each with its
 * tokens and whether a `cache_control` breakpoint ends at it.
 */
function promptElements(body: Json): { tokens: number; breakpoint: boolean; key: unknown }[] {
  const out: { tokens: number; breakpoint: boolean; key: unknown }[] = [];
  if (Array.isArray(body.tools)) for (const tool of body.tools) out.push({ tokens: estimateTokens(JSON.stringify(tool)), breakpoint: isObject(tool) && tool.cache_control != null, key: tool });
  for (const block of body.system === undefined ? [] : blocksOf(body.system)) out.push({ tokens: blockTokens(block), breakpoint: isObject(block) && block.cache_control != null, key: block });
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const base = promptTokensOf(messages.map(() => "")); // framing: 3, and 4 a message
  out.push({ tokens: base, breakpoint: false, key: null });
  for (const message of messages) {
    const content = isObject(message) ? message.content : undefined;
    for (const block of blocksOf(content)) out.push({ tokens: blockTokens(block), breakpoint: isObject(block) && block.cache_control != null, key: [isObject(message) ? message.role : null, block] });
  }
  return out;
}

/** Input tokens of a request, split the way Anthropic reports them. */
export interface MockInputUsage {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
}

/** All input tokens of a request (what `count_tokens` answers). */
export function mockInputTokens(body: Json): number {
  let total = 0;
  for (const element of promptElements(body)) total += element.tokens;
  return total;
}

/**
 * The input split by the cache: the prefix up to the last breakpoint (or all of it, with a
 * top-level `cache_control`) is written the first time it is seen and read afterwards.
 */
export function mockInputUsage(body: Json, cache: MockPromptCache): MockInputUsage {
  const elements = promptElements(body);
  let total = 0;
  let prefix = 0;
  let end = -1;
  elements.forEach((element, i) => {
    total += element.tokens;
    if (element.breakpoint) {
      prefix = total;
      end = i;
    }
  });
  if (body.cache_control != null) {
    prefix = total;
    end = elements.length - 1;
  }
  if (end < 0 || prefix === 0) return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const key = `${String(body.model)}\u0000${JSON.stringify(elements.slice(0, end + 1).map((e) => e.key))}`;
  const read = cache.hit(key);
  return { input_tokens: total - prefix, cache_creation_input_tokens: read ? 0 : prefix, cache_read_input_tokens: read ? prefix : 0 };
}

function lastUserText(messages: readonly unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObject(m) || m.role !== "user") continue;
    const said = typeof m.content === "string" ? m.content : textOf(blocksOf(m.content).filter((b) => isObject(b) && b.type === "text"));
    if (said.length > 0) return said;
  }
  return "";
}

/** The tool to call: the one `tool_choice` names, else the first, unless the last turn brought tool results. */
function chosenTool(body: Json): string | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter((tool): tool is Json => isObject(tool) && typeof tool.name === "string") : [];
  if (tools.length === 0) return null;
  const choice = isObject(body.tool_choice) ? body.tool_choice : {};
  if (choice.type === "none") return null;
  if (choice.type === "tool" && typeof choice.name === "string") return choice.name;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last = messages[messages.length - 1];
  if (choice.type !== "any" && isObject(last) && Array.isArray(last.content) && last.content.some((b) => isObject(b) && b.type === "tool_result")) return null;
  return tools[0].name as string;
}

function thinkingAsked(body: Json): boolean {
  const thinking = body.thinking;
  return isObject(thinking) && (thinking.type === "enabled" || thinking.type === "adaptive");
}

/** A deterministic stand-in for Claude's signature: opaque base64 that changes with the thinking text. */
function signatureOf(text: string): string {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return btoa(`switchyard-mock-signature:${hash.toString(16)}:${text.length}`);
}

interface MockMessage {
  readonly id: string;
  readonly model: string;
  readonly thinking: { readonly text: string; readonly signature: string } | null;
  readonly answer: MockAnswer;
  readonly toolId: string | null;
  readonly stopReason: string;
  readonly stopSequence: string | null;
  readonly input: MockInputUsage;
  readonly outputTokens: number;
}

function compose(body: Json, cache: MockPromptCache, options: MockAnthropicReplyOptions): MockMessage {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const said = lastUserText(messages);
  let answer = mockAnswer({ lastUserText: said, tool: chosenTool(body), maxTokens: typeof body.max_tokens === "number" ? body.max_tokens : undefined }, options);
  let stopReason = answer.finishReason === "tool_calls" ? "tool_use" : answer.finishReason === "length" ? "max_tokens" : "end_turn";
  let stopSequence: string | null = null;
  if (answer.tool === null && Array.isArray(body.stop_sequences)) {
    for (const sequence of body.stop_sequences) {
      const at = typeof sequence === "string" && sequence.length > 0 ? answer.text.indexOf(sequence) : -1;
      if (at < 0) continue;
      const text = answer.text.slice(0, at);
      answer = { ...answer, text, completionTokens: estimateTokens(text) };
      stopReason = "stop_sequence";
      stopSequence = sequence as string;
      break;
    }
  }
  const thinkingText = thinkingAsked(body) ? `The user said "${said.slice(0, 60)}". A short, direct answer fits.` : null;
  const thinking = thinkingText === null ? null : { text: thinkingText, signature: signatureOf(thinkingText) };
  return {
    id: nextId("msg", "_"),
    model: String(body.model),
    thinking,
    answer,
    toolId: answer.tool === null ? null : nextId("toolu", "_"),
    stopReason,
    stopSequence,
    input: mockInputUsage(body, cache),
    outputTokens: answer.completionTokens + (thinking === null ? 0 : estimateTokens(thinking.text)),
  };
}

function usageOf(m: MockMessage, outputTokens: number): Json {
  const usage: Json = {
    input_tokens: m.input.input_tokens,
    cache_creation_input_tokens: m.input.cache_creation_input_tokens,
    cache_read_input_tokens: m.input.cache_read_input_tokens,
    cache_creation: { ephemeral_5m_input_tokens: m.input.cache_creation_input_tokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: "standard",
  };
  if (m.thinking !== null) usage.output_tokens_details = { thinking_tokens: estimateTokens(m.thinking.text) };
  return usage;
}

function contentOf(m: MockMessage): Json[] {
  const content: Json[] = [];
  if (m.thinking !== null) content.push({ type: "thinking", thinking: m.thinking.text, signature: m.thinking.signature });
  if (m.answer.tool !== null) content.push({ type: "tool_use", id: m.toolId, name: m.answer.tool.name, input: JSON.parse(m.answer.tool.arguments) });
  else content.push({ type: "text", text: m.answer.text });
  return content;
}

/** A `message` object, serialised. */
export function mockAnthropicMessage(body: Json, cache: MockPromptCache, options: MockAnthropicReplyOptions = {}): string {
  const m = compose(body, cache, options);
  return JSON.stringify({
    id: m.id,
    type: "message",
    role: "assistant",
    model: m.model,
    content: contentOf(m),
    stop_reason: m.stopReason,
    stop_sequence: m.stopSequence,
    usage: usageOf(m, m.outputTokens),
  });
}

function sse(name: string, data: Json): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/**
 * The SSE events of a streamed message, each a complete event string, in Anthropic's order:
 * `message_start`, each block's start, deltas and stop (a `ping` after the first block opens),
 * `message_delta` with the stop reason and cumulative usage, `message_stop`.
 */
export function mockAnthropicStreamEvents(body: Json, cache: MockPromptCache, options: MockAnthropicReplyOptions = {}): string[] {
  const m = compose(body, cache, options);
  const size = options.chunkChars ?? 12;
  const events: string[] = [];
  events.push(sse("message_start", {
    type: "message_start",
    message: { id: m.id, type: "message", role: "assistant", model: m.model, content: [], stop_reason: null, stop_sequence: null, usage: usageOf(m, 1) },
  }));
  let index = 0;
  const open = (block: Json): void => {
    events.push(sse("content_block_start", { type: "content_block_start", index, content_block: block }));
    if (index === 0) events.push(sse("ping", { type: "ping" }));
  };
  const delta = (value: Json): void => void events.push(sse("content_block_delta", { type: "content_block_delta", index, delta: value }));
  const close = (): void => void events.push(sse("content_block_stop", { type: "content_block_stop", index: index++ }));
  if (m.thinking !== null) {
    open({ type: "thinking", thinking: "", signature: "" });
    for (const piece of pieces(m.thinking.text, size)) delta({ type: "thinking_delta", thinking: piece });
    delta({ type: "signature_delta", signature: m.thinking.signature });
    close();
  }
  if (m.answer.tool !== null) {
    open({ type: "tool_use", id: m.toolId, name: m.answer.tool.name, input: {} });
    delta({ type: "input_json_delta", partial_json: "" });
    for (const piece of pieces(m.answer.tool.arguments, size)) delta({ type: "input_json_delta", partial_json: piece });
  } else {
    open({ type: "text", text: "" });
    for (const piece of pieces(m.answer.text, size)) delta({ type: "text_delta", text: piece });
  }
  close();
  const final = usageOf(m, m.outputTokens);
  delete final.cache_creation;
  delete final.service_tier;
  events.push(sse("message_delta", { type: "message_delta", delta: { stop_reason: m.stopReason, stop_sequence: m.stopSequence }, usage: final }));
  events.push(sse("message_stop", { type: "message_stop" }));
  return events;
}
