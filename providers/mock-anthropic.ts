/**
 * A deterministic stand-in for a Claude model that speaks Anthropic Messages exactly, written from
 * Anthropic's documentation (https://docs.anthropic.com/en/api/messages,
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message` objects, the streamed
 * event sequence (message_start, content_block_start, ping, content_block_delta with text_delta /
 * input_json_delta / thinking_delta / signature_delta, content_block_stop, message_delta,
 * message_stop), token counts, and usage with prompt-cache reads and writes. It backs the HTTP
 * mock upstream in `switchyard/testing`; the official SDK checks it in the tests.
 */
import { estimateTokens, type MockChatOptions, mockReplyTo, nextId } from "./mock-llm.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) => (isObject(block) && typeof block.text === "string" ? block.text : "")).filter((t) => t.length > 0).join(" ");
}

function messagesOf(body: Json): Json[] {
  return Array.isArray(body.messages) ? (body.messages.filter(isObject) as Json[]) : [];
}

function lastUserText(messages: Json[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role !== "user") continue;
    const text = textOf(messages[i].content);
    if (text.length > 0) return text;
  }
  return "";
}

function endsWithToolResult(messages: Json[]): boolean {
  const last = messages[messages.length - 1];
  return last !== undefined && Array.isArray(last.content) && last.content.some((block) => isObject(block) && block.type === "tool_result");
}

/** The tool to call: the one `tool_choice` names, else the first, unless the turn answers a tool result. */
function chosenTool(body: Json, messages: Json[]): string | null {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
  if (tools.length === 0) return null;
  const choice = isObject(body.tool_choice) ? body.tool_choice : null;
  if (choice?.type === "none") return null;
  if (choice?.type === "tool" && typeof choice.name === "string") return choice.name;
  if (choice?.type !== "any" && endsWithToolResult(messages)) return null;
  return typeof tools[0].name === "string" ? tools[0].name : null;
}

/** Input tokens as Anthropic counts them: the system prompt, every message, the tools. */
export function mockInputTokens(body: Json): number {
  let tokens = 3 + estimateTokens(textOf(body.system));
  for (const m of messagesOf(body)) tokens += 4 + estimateTokens(typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""));
  if (Array.isArray(body.tools)) tokens += estimateTokens(JSON.stringify(body.tools));
  return tokens;
}

/** Ids the way Anthropic spells them: `msg_…`, `toolu_…`. */
function anthropicId(prefix: string): string {
  return nextId(prefix).replace("-", "_");
}

function hasCacheControl(value: unknown, depth = 0): boolean {
  if (depth > 6 || value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some((item) => hasCacheControl(item, depth + 1));
  if ("cache_control" in value) return true;
  return Object.values(value).some((item) => hasCacheControl(item, depth + 1));
}

/** Prompt prefixes already written to the mock's cache: a repeat reads them instead. */
export class MockPromptCache {
  private readonly seen = new Set<string>();
  usage(body: Json, input: number): { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number } {
    if (!hasCacheControl(body.system) && !hasCacheControl(body.messages) && !hasCacheControl(body.tools)) {
      return { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    }
    // The cached prefix: everything but the last message; a small remainder stays uncached.
    const key = JSON.stringify([body.model, body.system, body.tools, messagesOf(body).slice(0, -1)]);
    const cached = Math.max(0, input - 8);
    if (this.seen.has(key)) return { input_tokens: input - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached };
    if (this.seen.size > 1000) this.seen.clear();
    this.seen.add(key);
    return { input_tokens: input - cached, cache_creation_input_tokens: cached, cache_read_input_tokens: 0 };
  }
}

interface MockMessage {
  id: string;
  model: string;
  thinking: string | null;
  text: string;
  tool: { id: string; name: string; input: Json } | null;
  stopReason: "end_turn" | "max_tokens" | "tool_use" | "stop_sequence";
  stopSequence: string | null;
  usage: Json;
}

function compose(body: Json, cache: MockPromptCache, options: MockChatOptions): MockMessage {
  const messages = messagesOf(body);
  const said = lastUserText(messages);
  const toolName = chosenTool(body, messages);
  const thinkingAsked = isObject(body.thinking) && (body.thinking.type === "enabled" || body.thinking.type === "adaptive");
  const thinking = thinkingAsked ? `The user said "${said.slice(0, 40)}". I will answer plainly.` : null;
  let text = "";
  let tool: MockMessage["tool"] = null;
  let stopReason: MockMessage["stopReason"] = "end_turn";
  let stopSequence: string | null = null;
  if (toolName !== null) {
    tool = { id: anthropicId("toolu"), name: toolName, input: { query: said.slice(0, 60) } };
    stopReason = "tool_use";
  } else {
    text = mockReplyTo(said, options);
    const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === "string" && s.length > 0) : [];
    for (const stop of stops) {
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at);
        stopReason = "stop_sequence";
        stopSequence = stop;
        break;
      }
    }
    const limit = typeof body.max_tokens === "number" ? body.max_tokens : Infinity;
    if (stopReason === "end_turn" && estimateTokens(text) > limit) {
      text = text.slice(0, limit * 4);
      stopReason = "max_tokens";
    }
  }
  const output = estimateTokens(text) + (tool === null ? 0 : 8 + estimateTokens(JSON.stringify(tool.input))) + (thinking === null ? 0 : estimateTokens(thinking));
  const usage: Json = { ...cache.usage(body, mockInputTokens(body)), output_tokens: output, service_tier: "standard" };
  // Anthropic breaks thinking out of output_tokens, as the 2026 API reports it.
  if (thinking !== null) usage.output_tokens_details = { thinking_tokens: estimateTokens(thinking) };
  return { id: anthropicId("msg"), model: String(body.model), thinking, text, tool, stopReason, stopSequence, usage };
}

const SIGNATURE = "EqMockSignatureForSwitchyardTests==";

/** A Messages `message` object, serialised. */
export function mockMessage(body: Json, cache: MockPromptCache, options: MockChatOptions = {}): string {
  const m = compose(body, cache, options);
  const content: Json[] = [];
  if (m.thinking !== null) content.push({ type: "thinking", thinking: m.thinking, signature: SIGNATURE });
  if (m.tool !== null) content.push({ type: "tool_use", id: m.tool.id, name: m.tool.name, input: m.tool.input });
  else content.push({ type: "text", text: m.text });
  return JSON.stringify({ id: m.id, type: "message", role: "assistant", model: m.model, content, stop_reason: m.stopReason, stop_sequence: m.stopSequence, usage: m.usage });
}

function event(name: string, data: Json): string {
  return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
}

/** The SSE events of a streamed message, each a complete `event: …\ndata: …\n\n` string. */
export function mockMessageStreamEvents(body: Json, cache: MockPromptCache, options: MockChatOptions = {}): string[] {
  const m = compose(body, cache, options);
  const size = options.chunkChars ?? 12;
  const { output_tokens, output_tokens_details, ...input } = m.usage as { output_tokens: number; output_tokens_details?: Json };
  const events = [
    event("message_start", {
      message: { id: m.id, type: "message", role: "assistant", model: m.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...input, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  if (m.thinking !== null) {
    events.push(event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
    for (let i = 0; i < m.thinking.length; i += size) events.push(event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: m.thinking.slice(i, i + size) } }));
    events.push(event("content_block_delta", { index, delta: { type: "signature_delta", signature: SIGNATURE } }));
    events.push(event("content_block_stop", { index }));
    index++;
  }
  if (m.tool !== null) {
    events.push(event("content_block_start", { index, content_block: { type: "tool_use", id: m.tool.id, name: m.tool.name, input: {} } }));
    const json = JSON.stringify(m.tool.input);
    for (let i = 0; i < json.length; i += size) events.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: json.slice(i, i + size) } }));
  } else {
    events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
    events.push(event("ping", {}));
    for (let i = 0; i < m.text.length; i += size) events.push(event("content_block_delta", { index, delta: { type: "text_delta", text: m.text.slice(i, i + size) } }));
  }
  events.push(event("content_block_stop", { index }));
  const final: Json = { output_tokens };
  if (output_tokens_details !== undefined) final.output_tokens_details = output_tokens_details;
  events.push(event("message_delta", { delta: { stop_reason: m.stopReason, stop_sequence: m.stopSequence }, usage: final }));
  events.push(event("message_stop", {}));
  return events;
}

/** `POST /v1/messages/count_tokens`. */
export function mockCountTokens(body: Json): string {
  return JSON.stringify({ input_tokens: mockInputTokens(body) });
}
