/**
 * A deterministic stand-in for an LLM that speaks the OpenAI wire format exactly: chat
 * completions (JSON and SSE chunks, tool calls), embeddings (float and base64). It backs the
 * in-process `mock` provider and the HTTP mock upstream in `switchyard/testing`.
 */

export interface MockChatOptions {
  /** Stream chunk size in characters (roughly one token is four). Default 12. */
  chunkChars?: number;
  /** Fixed reply text instead of the default echo. */
  reply?: string;
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

interface ToolSpec {
  type?: string;
  function?: { name?: string };
}

let counter = 0;
export function nextId(prefix: string): string {
  counter = (counter + 1) % 1_000_000_000;
  return `${prefix}-mock${counter.toString(36).padStart(6, "0")}`;
}

/** Roughly what a BPE tokenizer yields for English text: one token per four characters. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part && typeof part === "object" && typeof part.text === "string" ? part.text : "")).join(" ");
  }
  return "";
}

function promptTokens(messages: readonly ChatMessage[]): number {
  // Chat formats add a few tokens of framing per message.
  let tokens = 3;
  for (const m of messages) tokens += 4 + estimateTokens(textOf(m.content));
  return tokens;
}

function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === "user") return textOf(messages[i].content);
  return "";
}

/** The mock's answer to what the user said last, in every format it speaks. */
export function mockReplyTo(said: string, options: MockChatOptions): string {
  if (options.reply !== undefined) return options.reply;
  const plain = said.replace(/\s+/g, " ").trim();
  const quoted = plain.length > 120 ? `${plain.slice(0, 117)}...` : plain;
  return `This is a mock reply from Switchyard. You said: "${quoted}"`;
}

function replyText(body: Record<string, unknown>, options: MockChatOptions): string {
  return mockReplyTo(lastUserText((body.messages as ChatMessage[]) ?? []), options);
}

/** The tool the mock calls, when the request makes a tool call the likely answer. */
function chosenTool(body: Record<string, unknown>): string | null {
  const tools = body.tools as ToolSpec[] | undefined;
  if (!Array.isArray(tools) || tools.length === 0) return null;
  const choice = body.tool_choice as unknown;
  if (choice === "none") return null;
  if (choice && typeof choice === "object") {
    const name = (choice as { function?: { name?: string } }).function?.name;
    if (typeof name === "string") return name;
  }
  const messages = (body.messages as ChatMessage[]) ?? [];
  // After a tool result, answer in text; otherwise call the first tool.
  if (messages.length > 0 && messages[messages.length - 1].role === "tool") return null;
  return tools[0].function?.name ?? null;
}

interface Completion {
  id: string;
  created: number;
  model: string;
  text: string;
  finishReason: "stop" | "length" | "tool_calls";
  tool: { id: string; name: string; arguments: string } | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function complete(body: Record<string, unknown>, options: MockChatOptions): Completion {
  const model = String(body.model);
  const prompt = promptTokens((body.messages as ChatMessage[]) ?? []);
  const toolName = chosenTool(body);
  const limit = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
  let text = "";
  let tool: Completion["tool"] = null;
  let finishReason: Completion["finishReason"] = "stop";
  let completion: number;
  if (toolName !== null) {
    tool = { id: nextId("call"), name: toolName, arguments: JSON.stringify({ query: lastUserText((body.messages as ChatMessage[]) ?? []).slice(0, 60) }) };
    finishReason = "tool_calls";
    completion = 8 + estimateTokens(tool.arguments);
  } else {
    text = replyText(body, options);
    if (typeof limit === "number" && limit > 0 && estimateTokens(text) > limit) {
      text = text.slice(0, limit * 4);
      finishReason = "length";
    }
    completion = estimateTokens(text);
  }
  return {
    id: nextId("chatcmpl"),
    created: Math.floor(Date.now() / 1000),
    model,
    text,
    finishReason,
    tool,
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

function fullUsage(usage: Completion["usage"]): Record<string, unknown> {
  return {
    ...usage,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** A `chat.completion` object, serialised. */
export function mockChatCompletion(body: Record<string, unknown>, options: MockChatOptions = {}): string {
  const c = complete(body, options);
  const message: Record<string, unknown> = { role: "assistant", content: c.tool === null ? c.text : null, refusal: null };
  if (c.tool !== null) {
    message.tool_calls = [{ id: c.tool.id, type: "function", function: { name: c.tool.name, arguments: c.tool.arguments } }];
  }
  return JSON.stringify({
    id: c.id,
    object: "chat.completion",
    created: c.created,
    model: c.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: c.finishReason }],
    usage: fullUsage(c.usage),
    system_fingerprint: "fp_switchyard_mock",
  });
}

/**
 * The SSE events of a streamed completion, each a complete `data: …\n\n` string, ending with
 * `data: [DONE]`. With `stream_options.include_usage`, every chunk carries `usage: null` and a
 * final chunk with empty `choices` carries the usage, as OpenAI does.
 */
export function mockChatStreamEvents(body: Record<string, unknown>, options: MockChatOptions = {}): string[] {
  const c = complete(body, options);
  const includeUsage = (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
  const base = { id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model, system_fingerprint: "fp_switchyard_mock" };
  const events: string[] = [];
  const push = (delta: Record<string, unknown>, finish: string | null): void => {
    const chunk: Record<string, unknown> = { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (includeUsage) chunk.usage = null;
    events.push(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  if (c.tool !== null) {
    push({ role: "assistant", content: null, tool_calls: [{ index: 0, id: c.tool.id, type: "function", function: { name: c.tool.name, arguments: "" } }], refusal: null }, null);
    const size = options.chunkChars ?? 12;
    for (let i = 0; i < c.tool.arguments.length; i += size) {
      push({ tool_calls: [{ index: 0, function: { arguments: c.tool.arguments.slice(i, i + size) } }] }, null);
    }
  } else {
    push({ role: "assistant", content: "", refusal: null }, null);
    const size = options.chunkChars ?? 12;
    for (let i = 0; i < c.text.length; i += size) push({ content: c.text.slice(i, i + size) }, null);
  }
  push({}, c.finishReason);
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: fullUsage(c.usage) })}\n\n`);
  events.push("data: [DONE]\n\n");
  return events;
}

/** Unit-length vectors derived from the text, so equal inputs embed equally. */
function vectorFor(text: string, dimensions: number): Float32Array {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const out = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    const value = seed / 4294967296 - 0.5;
    out[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) out[i] *= scale;
  return out;
}

function base64Of(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An embeddings `list` object, serialised; honours `dimensions` and `encoding_format`. */
export function mockEmbeddings(body: Record<string, unknown>, defaultDimensions = 1536): string {
  const input = body.input;
  const inputs: string[] = typeof input === "string"
    ? [input]
    : Array.isArray(input)
      ? input.map((item) => (typeof item === "string" ? item : JSON.stringify(item)))
      : [];
  if (Array.isArray(input) && input.length > 0 && typeof input[0] === "number") inputs.splice(0, inputs.length, JSON.stringify(input));
  const dimensions = typeof body.dimensions === "number" && body.dimensions > 0 ? Math.min(body.dimensions, 8192) : defaultDimensions;
  const asBase64 = body.encoding_format === "base64";
  let tokens = 0;
  const data = inputs.map((text, index) => {
    tokens += estimateTokens(text);
    const vector = vectorFor(text, dimensions);
    return { object: "embedding", index, embedding: asBase64 ? base64Of(vector) : Array.from(vector) };
  });
  return JSON.stringify({ object: "list", data, model: String(body.model), usage: { prompt_tokens: tokens, total_tokens: tokens } });
}
