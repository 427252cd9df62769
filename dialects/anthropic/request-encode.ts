/**
 * Neutral requests as Anthropic Messages bodies, for a client of another format (an OpenAI SDK,
 * say) in front of an Anthropic-format provider. What Anthropic has no field for is left out and
 * named in `dropped`; what would change the answer if left out is refused with a 400.
 */
import type { CanonicalMessage, CanonicalRequest, ContentPart, DocumentPart, ImagePart, Reasoning, TextPart } from "../../core/canonical.ts";
import type { EncodedRequest, EncodeOptions } from "../../core/dialect.ts";
import { badRequest } from "../../core/errors.ts";
import type { Json } from "../json.ts";
import { inputOf, textOfBase64, untranslatable, withCacheControl } from "./blocks.ts";

/** Anthropic requires `max_tokens`; this is the cap when neither the request nor the provider sets one. */
export const DEFAULT_MAX_TOKENS = 8192;

const refuse = (what: string, param: string | null) => untranslatable(what, param, "to");

function mediaSource(part: ImagePart | DocumentPart, param: string): Json {
  const source = part.source;
  if (source.kind === "url") return { type: "url", url: source.url };
  if (part.type === "image" || source.mediaType === "application/pdf") return { type: "base64", media_type: source.mediaType, data: source.data };
  if (source.mediaType.startsWith("text/plain")) {
    const data = textOfBase64(source.data);
    if (data !== null) return { type: "text", media_type: "text/plain", data };
  }
  throw refuse(`A '${source.mediaType}' document (Anthropic reads PDFs and plain text)`, param);
}

function textBlock(part: TextPart): Json {
  return withCacheControl({ type: "text", text: part.text }, part.cache);
}

/** A list of text blocks as Anthropic's content: one plain string when that says the same. */
function textContent(parts: readonly TextPart[]): string | Json[] {
  if (parts.length === 1 && parts[0].cache === undefined) return parts[0].text;
  return parts.map(textBlock);
}

function block(part: ContentPart, param: string, dropped: Set<string>): Json | null {
  switch (part.type) {
    case "text":
      // Anthropic refuses empty text blocks; an empty one says nothing.
      return part.text.length === 0 ? null : textBlock(part);
    case "image":
      return withCacheControl({ type: "image", source: mediaSource(part, param) }, part.cache);
    case "document": {
      const doc: Json = { type: "document", source: mediaSource(part, param) };
      const title = part.title ?? part.filename;
      if (title !== undefined) doc.title = title;
      return withCacheControl(doc, part.cache);
    }
    case "tool_call": {
      const input = inputOf(part.arguments);
      if (input === null) throw badRequest(`The arguments of tool call '${part.id}' are not a JSON object, and Anthropic takes tool inputs as objects.`, param, "invalid_value");
      return withCacheControl({ type: "tool_use", id: part.id, name: part.name, input }, part.cache);
    }
    case "tool_result": {
      const result: Json = { type: "tool_result", tool_use_id: part.callId };
      const content = part.content.filter((item) => item.type !== "text" || item.text.length > 0);
      if (content.length > 0) {
        result.content = content.every((item) => item.type === "text")
          ? textContent(content as TextPart[])
          : content.map((item) => (item.type === "text" ? textBlock(item) : withCacheControl({ type: "image", source: mediaSource(item, param) }, item.cache)));
      }
      if (part.isError) result.is_error = true;
      return withCacheControl(result, part.cache);
    }
    case "thinking":
      // Anthropic checks every thinking block's signature; reasoning text from another model has none.
      if (part.signature === null) {
        dropped.add("thinking");
        return null;
      }
      return { type: "thinking", thinking: part.text, signature: part.signature };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
  }
}

function message(m: CanonicalMessage, index: number, dropped: Set<string>): Json | null {
  const param = `messages[${index}]`;
  if (m.role === "system") {
    const texts = m.content.filter((part): part is TextPart => part.type === "text" && part.text.length > 0);
    return texts.length === 0 ? null : { role: "system", content: textContent(texts) };
  }
  // Tool results must open the user message that carries them.
  const parts = m.role === "user"
    ? [...m.content.filter((part) => part.type === "tool_result"), ...m.content.filter((part) => part.type !== "tool_result")]
    : m.content;
  const blocks: Json[] = [];
  for (const part of parts) {
    const encoded = block(part, param, dropped);
    if (encoded !== null) blocks.push(encoded);
  }
  // A turn left empty (an assistant turn that only held another model's reasoning) is left out.
  if (blocks.length === 0) return null;
  const only = blocks[0];
  const plain = blocks.length === 1 && only.type === "text" && only.cache_control === undefined;
  return { role: m.role, content: plain ? only.text : blocks };
}

/**
 * How reasoning maps: a token budget is manual extended thinking (`thinking.enabled` with
 * `budget_tokens`); an effort is adaptive thinking with `output_config.effort`, OpenAI's levels
 * kept by name (`minimal`, which Anthropic lacks, becomes `low`; `none` turns thinking off);
 * `disabled` is `thinking.disabled`. A reasoning with neither is adaptive thinking alone.
 */
function encodeReasoning(reasoning: Reasoning, body: Json, config: Json): void {
  const effort = reasoning.effort === "minimal" ? "low" : reasoning.effort;
  if (reasoning.disabled === true || effort === "none") body.thinking = { type: "disabled" };
  else if (reasoning.budgetTokens !== undefined) body.thinking = { type: "enabled", budget_tokens: reasoning.budgetTokens };
  else body.thinking = { type: "adaptive" };
  if (effort !== undefined && effort !== "none") config.effort = effort;
}

function encodeTools(request: CanonicalRequest, body: Json): void {
  if (request.tools.length === 0) return;
  body.tools = request.tools.map((tool) => {
    const out: Json = { name: tool.name };
    if (tool.description !== undefined) out.description = tool.description;
    // Anthropic insists on an object schema; OpenAI tolerates parameters without a type.
    out.input_schema = tool.parameters.type === undefined ? { type: "object", ...tool.parameters } : tool.parameters;
    if (tool.strict !== undefined) out.strict = tool.strict;
    return withCacheControl(out, tool.cache);
  });
  const choice = request.toolChoice;
  const parallel = request.parallelToolCalls;
  if (choice?.type === "none") {
    body.tool_choice = { type: "none" };
    return;
  }
  if (choice === null && parallel === null) return;
  const out: Json = choice === null || choice.type === "auto" ? { type: "auto" } : choice.type === "required" ? { type: "any" } : { type: "tool", name: choice.name };
  if (parallel !== null) out.disable_parallel_tool_use = !parallel;
  body.tool_choice = out;
}

/** A neutral request as an Anthropic Messages body for `options.model`. */
export function encodeAnthropicRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = { model: options.model };
  if (request.system.length > 0) body.system = textContent(request.system);
  const messages: Json[] = [];
  request.messages.forEach((m, i) => {
    const encoded = message(m, i, dropped);
    if (encoded !== null) messages.push(encoded);
  });
  body.messages = messages;
  body.max_tokens = request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS;
  if (request.temperature !== null) {
    // OpenAI's scale runs to 2, Anthropic's to 1: above 1 there is no equivalent to send.
    if (request.temperature > 1) throw refuse(`A temperature of ${request.temperature} (Anthropic takes 0 to 1)`, "temperature");
    body.temperature = request.temperature;
  }
  if (request.topP !== null) body.top_p = request.topP;
  if (request.topK !== null) body.top_k = request.topK;
  if (request.stop.length > 0) body.stop_sequences = request.stop.slice();
  if (request.seed !== null) dropped.add("seed");
  if (request.frequencyPenalty !== null) dropped.add("frequency_penalty");
  if (request.presencePenalty !== null) dropped.add("presence_penalty");
  encodeTools(request, body);
  const config: Json = {};
  const format = request.responseFormat;
  if (format?.type === "json_object") {
    // Anthropic constrains output to a schema only; "any JSON object" cannot be said faithfully.
    throw refuse("response_format 'json_object' (Anthropic takes a json_schema format; give the schema)", "response_format");
  }
  if (format?.type === "json_schema") {
    config.format = { type: "json_schema", schema: format.schema };
    if (format.description !== undefined) dropped.add("response_format.description");
  }
  if (request.reasoning !== null) encodeReasoning(request.reasoning, body, config);
  if (Object.keys(config).length > 0) body.output_config = config;
  if (request.user !== null) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return { body, dropped: [...dropped] };
}
