/**
 * Anthropic Messages requests ↔ the neutral form. Parsing serves an Anthropic client (Claude
 * Code, the Anthropic SDK) in front of a provider of another format; encoding serves a client of
 * another format in front of Anthropic.
 */
import type {
  CacheHint,
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  ImagePart,
  MediaSource,
  Reasoning,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
} from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { EncodedRequest, EncodeOptions } from "../../core/dialect.ts";
import { badRequest } from "../../core/errors.ts";
import { isObject, type Json, numberOr } from "../json.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";

/** Anthropic requires `max_tokens`; a translated request without one gets this, unless the provider sets its own. */
export const DEFAULT_MAX_TOKENS = 8192;

/** Fields the neutral form carries. */
const MAPPED = new Set([
  "model", "messages", "system", "max_tokens", "tools", "tool_choice", "temperature", "top_p", "top_k", "stop_sequences",
  "stream", "metadata", "thinking", "output_config",
]);

function unsupported(what: string, param: string): never {
  throw badRequest(`${what} cannot be translated for this target, which does not speak Anthropic Messages.`, param, "unsupported_parameter");
}

function cacheOf(block: Json): CacheHint | undefined {
  const control = block.cache_control;
  if (!isObject(control) || control.type !== "ephemeral") return undefined;
  return control.ttl === "5m" || control.ttl === "1h" ? { type: "ephemeral", ttl: control.ttl } : { type: "ephemeral" };
}

/** A part with its cache hint, when the block has one (absent rather than undefined). */
function hinted<P extends ContentPart>(part: P, block: Json): P {
  const cache = cacheOf(block);
  return cache === undefined ? part : { ...part, cache };
}

function sourceOf(source: unknown, param: string): MediaSource {
  if (isObject(source)) {
    if (source.type === "base64" && typeof source.data === "string") {
      return { kind: "base64", mediaType: typeof source.media_type === "string" ? source.media_type : "application/octet-stream", data: source.data };
    }
    if (source.type === "url" && typeof source.url === "string") return { kind: "url", url: source.url };
    if (source.type === "text" && typeof source.data === "string") {
      return { kind: "base64", mediaType: "text/plain", data: utf8ToBase64(source.data) };
    }
    if (source.type === "file") unsupported("A file uploaded to Anthropic (a `file` source)", param);
  }
  throw badRequest(`Invalid value for '${param}': unknown source.`, param, "invalid_value");
}

function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function textOf(block: Json, param: string): TextPart {
  if (typeof block.text !== "string") throw badRequest(`Invalid value for '${param}.text': must be a string.`, `${param}.text`, "invalid_value");
  return hinted({ type: "text", text: block.text }, block);
}

function toolResultContent(content: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (content == null) return [];
  if (!Array.isArray(content)) throw badRequest(`Invalid value for '${param}': must be a string or an array of blocks.`, param, "invalid_value");
  return content.map((block, i) => {
    const where = `${param}[${i}]`;
    if (!isObject(block)) throw badRequest(`Invalid value for '${where}': must be a block.`, where, "invalid_value");
    if (block.type === "text") return textOf(block, where);
    if (block.type === "image") return hinted<ImagePart>({ type: "image", source: sourceOf(block.source, `${where}.source`) }, block);
    return unsupported(`A '${String(block.type)}' block inside a tool result`, where);
  });
}

function partsOf(content: unknown, param: string): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const blocks = content as readonly unknown[];
  return blocks.map((value, i): ContentPart => {
    const block = value as Json;
    const where = `${param}[${i}]`;
    switch (block.type) {
      case "text":
        return textOf(block, where);
      case "image":
        return hinted<ImagePart>({ type: "image", source: sourceOf(block.source, `${where}.source`) }, block);
      case "document": {
        const part: { type: "document"; source: MediaSource; title?: string } = { type: "document", source: sourceOf(block.source, `${where}.source`) };
        if (typeof block.title === "string") part.title = block.title;
        return hinted(part, block);
      }
      case "tool_use":
        if (typeof block.id !== "string" || typeof block.name !== "string") throw badRequest(`Invalid value for '${where}': tool_use needs an id and a name.`, where, "invalid_value");
        return hinted({ type: "tool_call", id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }, block);
      case "tool_result":
        if (typeof block.tool_use_id !== "string") throw badRequest(`Missing required parameter: '${where}.tool_use_id'.`, `${where}.tool_use_id`, "missing_required_parameter");
        return hinted({ type: "tool_result", callId: block.tool_use_id, content: toolResultContent(block.content, `${where}.content`), isError: block.is_error === true }, block);
      case "thinking":
        return { type: "thinking", text: typeof block.thinking === "string" ? block.thinking : "", signature: typeof block.signature === "string" && block.signature.length > 0 ? block.signature : null };
      case "redacted_thinking":
        return { type: "redacted_thinking", data: typeof block.data === "string" ? block.data : "" };
      default:
        return unsupported(`A '${String(block.type)}' block (it belongs to a tool that runs on Anthropic's servers)`, where);
    }
  });
}

function messagesOf(body: RequestBody): CanonicalMessage[] {
  const raw = body.messages as readonly Json[];
  return raw.map((m, i) => {
    const content = partsOf(m.content, `messages[${i}].content`);
    if (m.role === "system" && content.some((part) => part.type !== "text")) {
      throw badRequest(`Invalid value for 'messages[${i}].content': a system message holds text only.`, `messages[${i}].content`, "invalid_value");
    }
    return { role: m.role as CanonicalMessage["role"], content };
  });
}

function systemOf(system: unknown): TextPart[] {
  if (typeof system === "string") return system.length === 0 ? [] : [{ type: "text", text: system }];
  if (!Array.isArray(system)) return [];
  return system.map((block, i) => textOf(block as Json, `system[${i}]`));
}

function toolsOf(tools: unknown): CanonicalTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((value, i) => {
    const tool = value as Json;
    // A tool with a dated `type` (web_search_20250305, bash_20250124 …) runs on Anthropic's side.
    if (tool.type !== undefined && tool.type !== "custom") unsupported(`The server tool '${String(tool.name ?? tool.type)}' (${String(tool.type)})`, `tools[${i}]`);
    if (typeof tool.name !== "string") throw badRequest(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, "missing_required_parameter");
    const out: { -readonly [K in keyof CanonicalTool]: CanonicalTool[K] } = { name: tool.name, parameters: isObject(tool.input_schema) ? tool.input_schema : { type: "object" } };
    if (typeof tool.description === "string") out.description = tool.description;
    if (typeof tool.strict === "boolean") out.strict = tool.strict;
    const cache = cacheOf(tool);
    if (cache !== undefined) out.cache = cache;
    return out;
  });
}

function toolChoiceOf(choice: unknown): { choice: ToolChoice | null; parallel: boolean | null } {
  if (!isObject(choice)) return { choice: null, parallel: null };
  const parallel = choice.disable_parallel_tool_use === true ? false : null;
  switch (choice.type) {
    case "auto":
      return { choice: { type: "auto" }, parallel };
    case "any":
      return { choice: { type: "required" }, parallel };
    case "none":
      return { choice: { type: "none" }, parallel };
    case "tool":
      if (typeof choice.name === "string") return { choice: { type: "tool", name: choice.name }, parallel };
  }
  return unsupported("This tool_choice", "tool_choice");
}

const EFFORTS = new Set<ReasoningEffort>(["low", "medium", "high", "xhigh", "max"]);

/**
 * `thinking` and `output_config.effort` as one neutral setting: a budget (`enabled`), off
 * (`disabled`), or the model's own judgement (`adaptive`: no budget), with an effort when given.
 */
function reasoningOf(thinking: unknown, output: Json | null): Reasoning | null {
  const effort = output !== null && typeof output.effort === "string" && EFFORTS.has(output.effort as ReasoningEffort) ? (output.effort as ReasoningEffort) : undefined;
  const reasoning: { effort?: ReasoningEffort; budgetTokens?: number; disabled?: boolean } = {};
  if (effort !== undefined) reasoning.effort = effort;
  if (isObject(thinking)) {
    if (thinking.type === "disabled") reasoning.disabled = true;
    else if (thinking.type === "enabled" && typeof thinking.budget_tokens === "number") reasoning.budgetTokens = thinking.budget_tokens;
  }
  return Object.keys(reasoning).length === 0 && !isObject(thinking) ? null : reasoning;
}

function formatOf(output: Json | null): ResponseFormat | null {
  const format = output?.format;
  if (!isObject(format)) return null;
  if (format.type === "json_schema" && isObject(format.schema)) return { type: "json_schema", name: "response", schema: format.schema };
  return unsupported("This output_config.format", "output_config.format");
}

/** Tool fields the neutral form carries; the rest (input_examples, defer_loading …) steer Anthropic only. */
const TOOL_FIELDS = new Set(["type", "name", "description", "input_schema", "strict", "cache_control"]);

/**
 * Fields inside mapped members that have no neutral form: citations, a document's context, how
 * thinking is displayed, Anthropic-only tool settings, metadata besides user_id. The blocks are
 * looked at one level into messages (and into tool results), as deep as such fields occur.
 */
function nestedDropped(body: RequestBody, dropped: string[]): void {
  const note = (field: string): void => {
    if (!dropped.includes(field)) dropped.push(field);
  };
  const block = (value: unknown): void => {
    if (!isObject(value)) return;
    if (value.type === "document" && value.context != null) note("document.context");
    if (value.citations != null) note("citations");
    if (value.type === "tool_result" && Array.isArray(value.content)) for (const item of value.content) block(item);
  };
  if (Array.isArray(body.system)) for (const item of body.system) block(item);
  for (const m of body.messages as readonly unknown[]) if (isObject(m) && Array.isArray(m.content)) for (const item of m.content) block(item);
  if (isObject(body.thinking) && body.thinking.display != null) note("thinking.display");
  if (Array.isArray(body.tools)) for (const tool of body.tools) if (isObject(tool)) for (const key in tool) if (!TOOL_FIELDS.has(key)) note(`tools.${key}`);
  if (isObject(body.metadata)) for (const key in body.metadata) if (key !== "user_id") note("metadata");
}

/** An Anthropic Messages body in neutral form; throws a 400 where translation would change its meaning. */
export function parseAnthropicRequest(body: RequestBody): CanonicalRequest {
  const dropped: string[] = [];
  for (const key in body) if (!MAPPED.has(key)) dropped.push(key);
  nestedDropped(body, dropped);
  const output = isObject(body.output_config) ? body.output_config : null;
  if (output !== null) for (const key in output) if (key !== "effort" && key !== "format") dropped.push(`output_config.${key}`);
  const metadata = isObject(body.metadata) ? body.metadata : null;
  const { choice, parallel } = toolChoiceOf(body.tool_choice);
  const stop = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === "string") : [];
  return {
    model: body.model as string,
    system: systemOf(body.system),
    messages: messagesOf(body),
    tools: toolsOf(body.tools),
    toolChoice: choice,
    parallelToolCalls: parallel,
    maxTokens: numberOr(body.max_tokens),
    temperature: numberOr(body.temperature),
    topP: numberOr(body.top_p),
    topK: numberOr(body.top_k),
    stop,
    seed: null,
    frequencyPenalty: null,
    presencePenalty: null,
    responseFormat: formatOf(output),
    reasoning: reasoningOf(body.thinking, output),
    stream: body.stream === true,
    user: metadata !== null && typeof metadata.user_id === "string" ? metadata.user_id : null,
    dropped,
  };
}

// ── neutral → Anthropic ────────────────────────────────────────────────────────────────────────

function withCache(block: Json, cache: CacheHint | undefined): Json {
  if (cache !== undefined) block.cache_control = cache.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: cache.ttl };
  return block;
}

function anthropicSource(source: MediaSource): Json {
  return source.kind === "url" ? { type: "url", url: source.url } : { type: "base64", media_type: source.mediaType, data: source.data };
}

/** Anthropic takes base64 documents as PDFs only; plain text goes as a text source. */
function documentSource(source: MediaSource): Json {
  if (source.kind === "base64" && source.mediaType.startsWith("text/plain")) {
    const text = base64ToUtf8(source.data);
    if (text !== null) return { type: "text", media_type: "text/plain", data: text };
  }
  return anthropicSource(source);
}

function base64ToUtf8(data: string): string | null {
  try {
    const binary = atob(data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}


function anthropicBlock(part: ContentPart, dropped: Set<string>): Json | null {
  switch (part.type) {
    case "text":
      return withCache({ type: "text", text: part.text }, part.cache);
    case "image":
      return withCache({ type: "image", source: anthropicSource(part.source) }, part.cache);
    case "document": {
      const block: Json = { type: "document", source: documentSource(part.source) };
      const title = part.title ?? part.filename;
      if (title !== undefined) block.title = title;
      return withCache(block, part.cache);
    }
    case "tool_call":
      return withCache({ type: "tool_use", id: part.id, name: part.name, input: toolArgumentsObject(part.arguments, part.id, "Anthropic") }, part.cache);
    case "tool_result": {
      const content = part.content.map((item) => anthropicBlock(item, dropped));
      const block: Json = { type: "tool_result", tool_use_id: part.callId, content };
      if (part.isError) block.is_error = true;
      return withCache(block, part.cache);
    }
    case "thinking":
      // Anthropic accepts earlier thinking only with the signature it issued; other models' reasoning cannot come back.
      if (part.signature === null) {
        dropped.add("thinking");
        return null;
      }
      return { type: "thinking", thinking: part.text, signature: part.signature };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
  }
}

function encodeMessages(request: CanonicalRequest, dropped: Set<string>): Json[] {
  const out: Json[] = [];
  for (const message of request.messages) {
    const content: Json[] = [];
    // Tool results lead their user message, as Anthropic requires.
    const ordered = message.role === "user"
      ? [...message.content.filter((p) => p.type === "tool_result"), ...message.content.filter((p) => p.type !== "tool_result")]
      : message.content;
    for (const part of ordered) {
      const block = anthropicBlock(part, dropped);
      if (block !== null) content.push(block);
    }
    if (content.length === 0) continue;
    out.push({ role: message.role, content });
  }
  return out;
}

/** Effort names Anthropic takes; OpenAI's lighter ones map to its lightest. */
function anthropicEffort(effort: ReasoningEffort): string | null {
  if (effort === "none") return null;
  return effort === "minimal" ? "low" : effort;
}

/** A neutral request as an Anthropic Messages body for `options.model`. */
export function encodeAnthropicRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = { model: options.model };
  if (request.system.length > 0) body.system = request.system.map((part) => anthropicBlock(part, dropped));
  body.messages = encodeMessages(request, dropped);
  body.max_tokens = request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const out: Json = { name: tool.name };
      if (tool.description !== undefined) out.description = tool.description;
      out.input_schema = tool.parameters;
      if (tool.strict !== undefined) out.strict = tool.strict;
      return withCache(out, tool.cache);
    });
  }
  const choice = request.toolChoice;
  if (choice !== null || request.parallelToolCalls === false) {
    const type = choice === null ? "auto" : choice.type === "required" ? "any" : choice.type;
    const out: Json = { type };
    if (choice?.type === "tool") out.name = choice.name;
    if (request.parallelToolCalls === false && type !== "none") out.disable_parallel_tool_use = true;
    if (request.tools.length > 0 || type === "none") body.tool_choice = out;
  }
  if (request.temperature !== null) {
    // Anthropic's scale ends at 1 where OpenAI's goes to 2: the nearest it takes, reported.
    body.temperature = Math.min(request.temperature, 1);
    if (request.temperature > 1) dropped.add("temperature above 1");
  }
  if (request.topP !== null) body.top_p = request.topP;
  if (request.topK !== null) body.top_k = request.topK;
  if (request.stop.length > 0) body.stop_sequences = request.stop.slice();
  if (request.seed !== null) dropped.add("seed");
  if (request.frequencyPenalty !== null) dropped.add("frequency_penalty");
  if (request.presencePenalty !== null) dropped.add("presence_penalty");
  const output: Json = {};
  const format = request.responseFormat;
  // JSON mode asks for any object; a schema is Anthropic's structured output as it is.
  if (format !== null && format.type !== "text") output.format = { type: "json_schema", schema: format.type === "json_schema" ? format.schema : { type: "object" } };
  const reasoning = request.reasoning;
  if (reasoning !== null) {
    if (reasoning.disabled === true) body.thinking = { type: "disabled" };
    else if (reasoning.budgetTokens !== undefined) body.thinking = { type: "enabled", budget_tokens: reasoning.budgetTokens };
    // Reasoning asked for with neither a budget nor an effort: thinking at the model's judgement.
    else if (reasoning.effort === undefined) body.thinking = { type: "adaptive" };
    const effort = reasoning.effort === undefined ? null : anthropicEffort(reasoning.effort);
    if (effort !== null) output.effort = effort;
    if (reasoning.effort === "none") body.thinking = { type: "disabled" };
  }
  if (Object.keys(output).length > 0) body.output_config = output;
  if (request.user !== null) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return { body, dropped: [...dropped] };
}
