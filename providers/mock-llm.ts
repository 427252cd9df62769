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

/**
 * What a mock turn is asked, in no format's words: each format's mock reads it from its own
 * request and writes the turn back in its own answer, so every format answers alike.
 */
export interface MockTurnRequest {
  /** The last thing the user said. */
  readonly said: string;
  /** Names of the tools offered, in order. */
  readonly tools: readonly string[];
  /** The tool the request's tool choice names, if any. */
  readonly forced: string | null;
  /** Tool choice says call none. */
  readonly none: boolean;
  /** Tool choice says call some tool (`required`, Anthropic's `any`): a tool result does not end the loop. */
  readonly required?: boolean;
  /** The turn answers a tool result. */
  readonly afterToolResult: boolean;
  readonly maxTokens: number | null;
  readonly stops?: readonly string[];
}

export interface MockTurn {
  readonly text: string;
  readonly tool: { readonly name: string; readonly arguments: string } | null;
  readonly finish: "stop" | "length" | "tool_calls" | "stop_sequence";
  readonly stopSequence: string | null;
  readonly outputTokens: number;
}

/**
 * The mock's turn: the tool the choice names, else the first tool unless the turn answers a tool
 * result; otherwise the reply text, cut at a stop sequence or the output limit.
 */
export function mockTurn(request: MockTurnRequest, options: MockChatOptions): MockTurn {
  const toolName = request.tools.length === 0 || request.none
    ? null
    : request.forced ?? (request.afterToolResult && request.required !== true ? null : request.tools[0]);
  if (toolName !== null) {
    const args = JSON.stringify({ query: request.said.slice(0, 60) });
    return { text: "", tool: { name: toolName, arguments: args }, finish: "tool_calls", stopSequence: null, outputTokens: 8 + estimateTokens(args) };
  }
  let text = mockReplyTo(request.said, options);
  for (const stop of request.stops ?? []) {
    const at = stop.length > 0 ? text.indexOf(stop) : -1;
    if (at >= 0) return { text: text.slice(0, at), tool: null, finish: "stop_sequence", stopSequence: stop, outputTokens: estimateTokens(text.slice(0, at)) };
  }
  let finish: MockTurn["finish"] = "stop";
  if (request.maxTokens !== null && request.maxTokens > 0 && estimateTokens(text) > request.maxTokens) {
    text = text.slice(0, request.maxTokens * 4);
    finish = "length";
  }
  return { text, tool: null, finish, stopSequence: null, outputTokens: estimateTokens(text) };
}

/** Stream pieces of `text`, `size` characters each. */
export function pieces(text: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
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
  const messages = (body.messages as ChatMessage[]) ?? [];
  const prompt = promptTokens(messages);
  const tools = Array.isArray(body.tools) ? (body.tools as ToolSpec[]).map((tool) => tool.function?.name).filter((name): name is string => typeof name === "string") : [];
  const choice = body.tool_choice as unknown;
  const forced = choice && typeof choice === "object" ? (choice as { function?: { name?: string } }).function?.name ?? null : null;
  const limit = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
  const turn = mockTurn({
    said: lastUserText(messages),
    tools,
    forced: typeof forced === "string" ? forced : null,
    none: choice === "none",
    afterToolResult: messages.length > 0 && messages[messages.length - 1].role === "tool",
    maxTokens: typeof limit === "number" ? limit : null,
  }, options);
  return {
    id: nextId("chatcmpl"),
    created: Math.floor(Date.now() / 1000),
    model: String(body.model),
    text: turn.text,
    finishReason: turn.finish === "stop_sequence" ? "stop" : turn.finish,
    tool: turn.tool === null ? null : { id: nextId("call"), ...turn.tool },
    usage: { prompt_tokens: prompt, completion_tokens: turn.outputTokens, total_tokens: prompt + turn.outputTokens },
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
export function vectorFor(text: string, dimensions: number): Float32Array {
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
