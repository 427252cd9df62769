/**
 * Anthropic Messages requests in neutral form, for a target that speaks another format (an
 * Anthropic client such as Claude Code in front of an OpenAI-format provider). What has a
 * neutral form is mapped; what has none but can be left out is named in `dropped`; what another
 * format cannot do at all (Anthropic's server tools, Files API references) is refused with a 400.
 */
import type {
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
import { badRequest } from "../../core/errors.ts";
import { type Json, isObject, numberOr } from "../json.ts";
import { base64OfText, cacheOf, untranslatable, withCache } from "./blocks.ts";

/** Top-level fields the neutral form carries. Everything else is reported as dropped. */
const MAPPED = new Set([
  "model", "messages", "system", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "stream", "tools",
  "tool_choice", "thinking", "output_config", "output_format", "metadata",
]);

/** Blocks that record what Anthropic's own servers did (server tools, MCP, containers): no other target can replay them. */
const SERVER_BLOCKS = new Set([
  "server_tool_use", "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
  "bash_code_execution_tool_result", "text_editor_code_execution_tool_result", "tool_search_tool_result",
  "mcp_tool_use", "mcp_tool_result", "container_upload",
]);

/** Tool fields that only steer Anthropic's own tool handling. */
const TOOL_FIELDS = new Set(["name", "description", "input_schema", "strict", "cache_control", "type"]);

const EFFORTS = new Set<string>(["low", "medium", "high", "xhigh", "max"]);

const refuse = (what: string, param: string | null) => untranslatable(what, param, "from");

function text(value: unknown, where: string): string {
  if (typeof value !== "string") throw badRequest(`Invalid value for '${where}': must be a string.`, where, "invalid_value");
  return value;
}

function sourceOf(source: unknown, where: string, what: "image" | "document"): MediaSource {
  if (!isObject(source)) throw badRequest(`Missing required parameter: '${where}'.`, where, "missing_required_parameter");
  switch (source.type) {
    case "base64":
      return { kind: "base64", mediaType: text(source.media_type, `${where}.media_type`), data: text(source.data, `${where}.data`) };
    case "url":
      return { kind: "url", url: text(source.url, `${where}.url`) };
    case "text":
      // A plain-text document: neutral sources carry bytes, so its text travels as base64 UTF-8.
      if (what === "document") return { kind: "base64", mediaType: "text/plain", data: base64OfText(text(source.data, `${where}.data`)) };
      break;
    case "file":
      throw refuse(`A ${what} given as a Files API 'file_id'`, where);
    case "content":
      throw refuse("A document made of content blocks", where);
  }
  throw badRequest(`Invalid value for '${where}.type': unknown ${what} source type.`, `${where}.type`, "invalid_value");
}

function textBlocksOf(content: unknown, where: string, dropped: Set<string>): TextPart[] {
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw badRequest(`Invalid value for '${where}': must be a string or an array of text blocks.`, where, "invalid_value");
  return content.map((block, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(block) || block.type !== "text") throw badRequest(`Invalid value for '${at}': only text blocks are allowed here.`, at, "invalid_value");
    if (block.citations != null) dropped.add("citations");
    return withCache<TextPart>({ type: "text", text: text(block.text, `${at}.text`) }, cacheOf(block.cache_control));
  });
}

function imageOf(block: Json, where: string, dropped: Set<string>): ImagePart {
  if (block.transformations != null) dropped.add("image.transformations");
  return withCache<ImagePart>({ type: "image", source: sourceOf(block.source, `${where}.source`, "image") }, cacheOf(block.cache_control));
}

function toolResultOf(block: Json, where: string, dropped: Set<string>): ContentPart {
  const content: (TextPart | ImagePart)[] = [];
  const raw = block.content;
  if (typeof raw === "string") {
    if (raw.length > 0) content.push({ type: "text", text: raw });
  } else if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      const at = `${where}.content[${i}]`;
      if (isObject(item) && item.type === "text") content.push(withCache<TextPart>({ type: "text", text: text(item.text, `${at}.text`) }, cacheOf(item.cache_control)));
      else if (isObject(item) && item.type === "image") content.push(imageOf(item, at, dropped));
      else throw refuse(`A tool result holding a '${isObject(item) ? String(item.type) : typeof item}' block`, at);
    });
  } else if (raw != null) throw badRequest(`Invalid value for '${where}.content': must be a string or an array of blocks.`, `${where}.content`, "invalid_value");
  return withCache<ContentPart>(
    { type: "tool_result", callId: text(block.tool_use_id, `${where}.tool_use_id`), content, isError: block.is_error === true },
    cacheOf(block.cache_control),
  );
}

function blockOf(block: unknown, where: string, dropped: Set<string>): ContentPart | null {
  if (!isObject(block)) throw badRequest(`Invalid value for '${where}': must be a content block object.`, where, "invalid_value");
  const cache = cacheOf(block.cache_control);
  switch (block.type) {
    case "text":
      if (block.citations != null) dropped.add("citations");
      return withCache<ContentPart>({ type: "text", text: text(block.text, `${where}.text`) }, cache);
    case "image":
      return imageOf(block, where, dropped);
    case "document": {
      if (block.citations != null) dropped.add("citations");
      if (block.context != null) dropped.add("document.context");
      const part: { type: "document"; source: MediaSource; title?: string } = { type: "document", source: sourceOf(block.source, `${where}.source`, "document") };
      if (typeof block.title === "string") part.title = block.title;
      return withCache<ContentPart>(part, cache);
    }
    case "tool_use":
      return withCache<ContentPart>(
        { type: "tool_call", id: text(block.id, `${where}.id`), name: text(block.name, `${where}.name`), arguments: JSON.stringify(block.input ?? {}) },
        cache,
      );
    case "tool_result":
      return toolResultOf(block, where, dropped);
    case "thinking":
      return { type: "thinking", text: text(block.thinking, `${where}.thinking`), signature: typeof block.signature === "string" ? block.signature : null };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: text(block.data, `${where}.data`) };
    case "search_result":
      throw refuse("A 'search_result' block", where);
    default:
      if (typeof block.type === "string" && SERVER_BLOCKS.has(block.type)) {
        throw refuse(`A '${block.type}' block (the record of a tool Anthropic's servers ran)`, where);
      }
      throw badRequest(`Invalid value for '${where}.type': unknown content block type.`, `${where}.type`, "invalid_value");
  }
}

function contentOf(content: unknown, where: string, dropped: Set<string>): ContentPart[] {
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw badRequest(`Invalid value for '${where}': must be a string or an array of content blocks.`, where, "invalid_value");
  const parts: ContentPart[] = [];
  content.forEach((block, i) => {
    const part = blockOf(block, `${where}[${i}]`, dropped);
    if (part !== null) parts.push(part);
  });
  return parts;
}

function messagesOf(body: RequestBody, system: TextPart[], dropped: Set<string>): CanonicalMessage[] {
  const messages: CanonicalMessage[] = [];
  (body.messages as readonly unknown[]).forEach((value, i) => {
    const m = value as Json;
    const where = `messages[${i}].content`;
    switch (m.role) {
      case "user":
      case "assistant":
        messages.push({ role: m.role, content: contentOf(m.content, where, dropped) });
        break;
      case "system":
        // Instructions before the first turn join the system prompt; later ones keep their place.
        if (messages.length === 0) system.push(...textBlocksOf(m.content, where, dropped));
        else messages.push({ role: "system", content: textBlocksOf(m.content, where, dropped) });
        break;
      default:
        throw badRequest(`Invalid value for 'messages[${i}].role': must be 'user', 'assistant' or 'system'.`, `messages[${i}].role`, "invalid_value");
    }
  });
  return messages;
}

function toolsOf(body: RequestBody, dropped: Set<string>): CanonicalTool[] {
  if (body.tools == null) return [];
  if (!Array.isArray(body.tools)) throw badRequest("Invalid value for 'tools': must be an array of tools.", "tools", "invalid_value");
  return body.tools.map((tool, i) => {
    const where = `tools[${i}]`;
    if (!isObject(tool)) throw badRequest(`Invalid value for '${where}': must be a tool object.`, where, "invalid_value");
    if (tool.type != null && tool.type !== "custom") {
      // Server tools (web search, code execution …) run on Anthropic's side, and Anthropic-defined
      // client tools (bash, text editor, computer use, memory) take a schema only Claude knows.
      const name = typeof tool.name === "string" ? `'${tool.name}' ` : "";
      throw refuse(`The Anthropic tool ${name}(type '${String(tool.type)}')`, where);
    }
    const name = text(tool.name, `${where}.name`);
    const out: { -readonly [K in keyof CanonicalTool]: CanonicalTool[K] } = {
      name,
      parameters: isObject(tool.input_schema) ? tool.input_schema : { type: "object", properties: {} },
    };
    if (typeof tool.description === "string") out.description = tool.description;
    if (typeof tool.strict === "boolean") out.strict = tool.strict;
    const cache = cacheOf(tool.cache_control);
    if (cache !== undefined) out.cache = cache;
    for (const key in tool) if (!TOOL_FIELDS.has(key)) dropped.add(`tools.${key}`);
    return out;
  });
}

function toolChoiceOf(choice: unknown): ToolChoice | null {
  if (choice == null) return null;
  if (isObject(choice)) {
    switch (choice.type) {
      case "auto":
        return { type: "auto" };
      case "any":
        return { type: "required" };
      case "none":
        return { type: "none" };
      case "tool":
        return { type: "tool", name: text(choice.name, "tool_choice.name") };
    }
  }
  throw badRequest("Invalid value for 'tool_choice': must be an object of type 'auto', 'any', 'tool' or 'none'.", "tool_choice", "invalid_value");
}

function parallelOf(choice: unknown): boolean | null {
  return isObject(choice) && typeof choice.disable_parallel_tool_use === "boolean" ? !choice.disable_parallel_tool_use : null;
}

function formatOf(format: unknown): ResponseFormat | null {
  if (format == null) return null;
  if (isObject(format) && format.type === "json_schema" && isObject(format.schema)) {
    // Anthropic's format has no name; the neutral form needs one, and no target gives it meaning.
    return { type: "json_schema", name: "response", schema: format.schema };
  }
  throw badRequest("Invalid value for 'output_config.format': must be a json_schema format with a schema.", "output_config.format", "invalid_value");
}

/**
 * `thinking` and `output_config.effort` in neutral terms: a budget (`enabled`), off (`disabled`),
 * or the model's own judgement (`adaptive`, an empty reasoning unless an effort is given).
 */
function reasoningOf(thinking: unknown, effortValue: unknown, dropped: Set<string>): Reasoning | null {
  const effort = typeof effortValue === "string" && EFFORTS.has(effortValue) ? (effortValue as ReasoningEffort) : undefined;
  const out: { -readonly [K in keyof Reasoning]: Reasoning[K] } = {};
  if (effort !== undefined) out.effort = effort;
  if (isObject(thinking)) {
    if (thinking.display != null) dropped.add("thinking.display");
    if (thinking.type === "enabled") {
      const budget = numberOr(thinking.budget_tokens);
      if (budget !== null) out.budgetTokens = budget;
    } else if (thinking.type === "disabled") out.disabled = true;
    else if (thinking.type !== "adaptive") dropped.add("thinking");
    return out;
  }
  return effort === undefined ? null : out;
}

/** An Anthropic Messages body in neutral form; throws a 400 where translating it would change what it asks. */
export function parseAnthropicRequest(body: RequestBody): CanonicalRequest {
  const dropped = new Set<string>();
  for (const key in body) if (!MAPPED.has(key)) dropped.add(key);
  const system = body.system == null ? [] : textBlocksOf(body.system, "system", dropped);
  const messages = messagesOf(body, system, dropped);
  const config = isObject(body.output_config) ? body.output_config : {};
  for (const key in config) if (key !== "format" && key !== "effort") dropped.add(`output_config.${key}`);
  const metadata = isObject(body.metadata) ? body.metadata : {};
  for (const key in metadata) if (key !== "user_id") dropped.add("metadata");
  const stop = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s): s is string => typeof s === "string") : [];
  return {
    model: body.model as string,
    system,
    messages,
    tools: toolsOf(body, dropped),
    toolChoice: toolChoiceOf(body.tool_choice),
    parallelToolCalls: parallelOf(body.tool_choice),
    maxTokens: numberOr(body.max_tokens),
    temperature: numberOr(body.temperature),
    topP: numberOr(body.top_p),
    topK: numberOr(body.top_k),
    stop,
    seed: null,
    frequencyPenalty: null,
    presencePenalty: null,
    responseFormat: formatOf(config.format ?? body.output_format),
    reasoning: reasoningOf(body.thinking, config.effort, dropped),
    stream: body.stream === true,
    user: typeof metadata.user_id === "string" ? metadata.user_id : null,
    dropped: [...dropped],
  };
}
