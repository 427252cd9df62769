/**
 * Bedrock Converse requests ↔ the neutral form. The model is not in the body (it is the
 * `/model/{modelId}/converse` path), nor is streaming (`/converse-stream`): the provider adapter
 * puts both in the URL. Encoding serves clients of every other format in front of Bedrock.
 */
import type { CacheHint, CanonicalMessage, CanonicalRequest, ContentPart, MediaSource, TextPart, ToolChoice } from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { EncodedRequest, EncodeOptions } from "../../core/dialect.ts";
import { badRequest } from "../../core/errors.ts";
import { isObject, type Json, numberOr } from "../json.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";

/** Converse requires `inferenceConfig.maxTokens` for some models; a translated request without one gets this. */
export const DEFAULT_MAX_TOKENS = 4096;

const IMAGE_FORMATS: Readonly<Record<string, string>> = { "image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif", "image/webp": "webp" };
const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

function refuse(what: string, param: string): never {
  throw badRequest(`${what} cannot be sent to Bedrock, whose Converse API takes media as bytes only.`, param, "unsupported_parameter");
}

function cachePoint(): Json {
  return { cachePoint: { type: "default" } };
}

function bytesOf(source: MediaSource, what: string): { mediaType: string; data: string } {
  if (source.kind === "url") refuse(`${what} given by URL`, "messages");
  return { mediaType: source.mediaType.toLowerCase(), data: source.data };
}

/** Bedrock's document names allow letters, digits, single spaces, hyphens, parentheses and brackets. */
function documentName(name: string | undefined, index: number): string {
  const cleaned = (name ?? "").replace(/[^A-Za-z0-9\s\-()[\]]/g, " ").replace(/\s+/g, " ").trim();
  return cleaned.length > 0 ? cleaned.slice(0, 200) : `document ${index + 1}`;
}


/** One neutral part as Converse blocks (a block, then its cache point when it has a hint). */
function blocksOf(part: ContentPart, dropped: Set<string>, documents: { count: number }): Json[] {
  const hinted = (block: Json, cache: CacheHint | undefined): Json[] => (cache === undefined ? [block] : [block, cachePoint()]);
  switch (part.type) {
    case "text":
      return hinted({ text: part.text }, part.cache);
    case "image": {
      const { mediaType, data } = bytesOf(part.source, "An image");
      const format = IMAGE_FORMATS[mediaType];
      if (format === undefined) refuse(`An image of type ${mediaType}`, "messages");
      return hinted({ image: { format, source: { bytes: data } } }, part.cache);
    }
    case "document": {
      const { mediaType, data } = bytesOf(part.source, "A document");
      const format = DOCUMENT_FORMATS[mediaType];
      if (format === undefined) refuse(`A document of type ${mediaType}`, "messages");
      return hinted({ document: { format, name: documentName(part.title ?? part.filename, documents.count++), source: { bytes: data } } }, part.cache);
    }
    case "tool_call":
      return hinted({ toolUse: { toolUseId: part.id, name: part.name, input: toolArgumentsObject(part.arguments, part.id, "Bedrock") } }, part.cache);
    case "tool_result": {
      const content = part.content.flatMap((item) => blocksOf(item, dropped, documents)).filter((block) => block.cachePoint === undefined);
      return hinted({ toolResult: { toolUseId: part.callId, content, status: part.isError ? "error" : "success" } }, part.cache);
    }
    case "thinking":
      // Earlier reasoning goes back only with the signature the model issued; other models' cannot.
      if (part.signature === null) {
        dropped.add("thinking");
        return [];
      }
      return [{ reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } }];
    case "redacted_thinking":
      return [{ reasoningContent: { redactedContent: part.data } }];
  }
}

/**
 * Converse takes strictly alternating user and assistant turns: neighbours of one role are joined,
 * a system message given mid-conversation becomes user text in its place, and tool results lead
 * their user turn.
 */
function encodeMessages(messages: readonly CanonicalMessage[], dropped: Set<string>): Json[] {
  const out: { role: string; content: Json[] }[] = [];
  const documents = { count: 0 };
  for (const message of messages) {
    const role = message.role === "assistant" ? "assistant" : "user";
    const parts = role === "user" ? [...message.content.filter((p) => p.type === "tool_result"), ...message.content.filter((p) => p.type !== "tool_result")] : message.content;
    const content = parts.flatMap((part) => blocksOf(part, dropped, documents));
    if (content.length === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  return out;
}

const TOOL_CHOICE = "tool_choice";

function encodeToolChoice(choice: ToolChoice | null, dropped: Set<string>): Json | null {
  if (choice === null || choice.type === "auto") return choice === null ? null : { auto: {} };
  if (choice.type === "required") return { any: {} };
  if (choice.type === "tool") return { tool: { name: choice.name } };
  // Converse has no "none": the tools stay offered (earlier tool calls need them), the choice is reported.
  dropped.add("tool_choice none");
  return null;
}

/** A neutral request as a Converse body (for `POST /model/{modelId}/converse` or `/converse-stream`). */
export function encodeBedrockRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = { messages: encodeMessages(request.messages, dropped) };
  if (request.system.length > 0) body.system = request.system.flatMap((part) => (part.cache === undefined ? [{ text: part.text }] : [{ text: part.text }, cachePoint()]));
  const inference: Json = { maxTokens: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS };
  if (request.temperature !== null) inference.temperature = request.temperature;
  if (request.topP !== null) inference.topP = request.topP;
  if (request.stop.length > 0) inference.stopSequences = request.stop.slice();
  body.inferenceConfig = inference;
  if (request.tools.length > 0) {
    const tools: Json[] = [];
    for (const tool of request.tools) {
      const spec: Json = { name: tool.name };
      if (tool.description !== undefined) spec.description = tool.description;
      spec.inputSchema = { json: tool.parameters };
      tools.push({ toolSpec: spec });
      if (tool.cache !== undefined) tools.push(cachePoint());
    }
    const toolConfig: Json = { tools };
    const choice = encodeToolChoice(request.toolChoice, dropped);
    if (choice !== null) toolConfig.toolChoice = choice;
    body.toolConfig = toolConfig;
  } else if (request.toolChoice !== null && request.toolChoice.type !== "auto" && request.toolChoice.type !== "none") {
    throw badRequest("A tool choice that names or requires a tool needs tools to choose from.", TOOL_CHOICE, "invalid_value");
  }
  if (request.parallelToolCalls === false) dropped.add("parallel_tool_calls");
  const extra: Json = {};
  // Model-specific fields go in `additionalModelRequestFields`, in the model's own words: top_k and
  // a thinking budget are Anthropic Claude's, the models that reach them (the adapter's `reasoning`).
  if (request.topK !== null) extra.top_k = request.topK;
  const reasoning = request.reasoning;
  if (reasoning !== null) {
    if (reasoning.budgetTokens !== undefined && reasoning.disabled !== true) extra.thinking = { type: "enabled", budget_tokens: reasoning.budgetTokens };
    else if (reasoning.effort !== undefined && reasoning.effort !== "none") dropped.add("reasoning effort");
  }
  if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra;
  if (request.seed !== null) dropped.add("seed");
  if (request.frequencyPenalty !== null) dropped.add("frequency_penalty");
  if (request.presencePenalty !== null) dropped.add("presence_penalty");
  if (request.responseFormat !== null && request.responseFormat.type !== "text") dropped.add("response_format");
  if (request.user !== null) dropped.add("user");
  return { body, dropped: [...dropped] };
}

// ── parsing: a Converse body in neutral form ─────────────────────────────────────────────────────

function sourceOfBytes(block: Json, mediaTypes: Readonly<Record<string, string>>): MediaSource | null {
  const source = isObject(block.source) ? block.source : null;
  if (source === null || typeof source.bytes !== "string" || typeof block.format !== "string") return null;
  const mediaType = Object.keys(mediaTypes).find((type) => mediaTypes[type] === block.format) ?? "application/octet-stream";
  return { kind: "base64", mediaType, data: source.bytes };
}

function partsOf(blocks: unknown, dropped: Set<string>): ContentPart[] {
  const parts: ContentPart[] = [];
  if (!Array.isArray(blocks)) return parts;
  for (const block of blocks) {
    if (!isObject(block)) continue;
    if (block.cachePoint !== undefined) {
      const last = parts[parts.length - 1];
      if (last !== undefined && last.type !== "thinking" && last.type !== "redacted_thinking") parts[parts.length - 1] = { ...last, cache: { type: "ephemeral" } };
      continue;
    }
    if (typeof block.text === "string") parts.push({ type: "text", text: block.text });
    else if (isObject(block.image)) {
      const source = sourceOfBytes(block.image, IMAGE_FORMATS);
      if (source !== null) parts.push({ type: "image", source });
    } else if (isObject(block.document)) {
      const source = sourceOfBytes(block.document, DOCUMENT_FORMATS);
      if (source !== null) parts.push({ type: "document", source, ...(typeof block.document.name === "string" ? { title: block.document.name } : {}) });
    } else if (isObject(block.toolUse)) {
      const use = block.toolUse;
      parts.push({ type: "tool_call", id: String(use.toolUseId ?? ""), name: String(use.name ?? ""), arguments: JSON.stringify(use.input ?? {}) });
    } else if (isObject(block.toolResult)) {
      const result = block.toolResult;
      const content: (TextPart | Extract<ContentPart, { type: "image" }>)[] = [];
      for (const item of Array.isArray(result.content) ? result.content : []) {
        if (!isObject(item)) continue;
        if (typeof item.text === "string") content.push({ type: "text", text: item.text });
        else if (item.json !== undefined) content.push({ type: "text", text: JSON.stringify(item.json) });
        else if (isObject(item.image)) {
          const source = sourceOfBytes(item.image, IMAGE_FORMATS);
          if (source !== null) content.push({ type: "image", source });
        }
      }
      parts.push({ type: "tool_result", callId: String(result.toolUseId ?? ""), content, isError: result.status === "error" });
    } else if (isObject(block.reasoningContent)) {
      const reasoning = block.reasoningContent;
      if (isObject(reasoning.reasoningText) && typeof reasoning.reasoningText.text === "string") {
        parts.push({ type: "thinking", text: reasoning.reasoningText.text, signature: typeof reasoning.reasoningText.signature === "string" ? reasoning.reasoningText.signature : null });
      } else if (typeof reasoning.redactedContent === "string") parts.push({ type: "redacted_thinking", data: reasoning.redactedContent });
    } else dropped.add("messages[].content (guard and video blocks)");
  }
  return parts;
}

function toolChoiceOf(config: Json): ToolChoice | null {
  const choice = isObject(config.toolChoice) ? config.toolChoice : null;
  if (choice === null) return null;
  if (choice.any !== undefined) return { type: "required" };
  if (isObject(choice.tool) && typeof choice.tool.name === "string") return { type: "tool", name: choice.tool.name };
  return { type: "auto" };
}

/** Fields the neutral form carries. */
const MAPPED = new Set(["modelId", "messages", "system", "inferenceConfig", "toolConfig", "additionalModelRequestFields"]);

/** A Converse body in neutral form; `modelId` (as the SDK names the path parameter) is the model. */
export function parseBedrockRequest(body: RequestBody): CanonicalRequest {
  const dropped = new Set<string>();
  for (const key of Object.keys(body)) if (!MAPPED.has(key)) dropped.add(key);
  const system = partsOf(body.system, dropped).filter((part): part is TextPart => part.type === "text");
  const messages: CanonicalMessage[] = [];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(message)) continue;
    messages.push({ role: message.role === "assistant" ? "assistant" : "user", content: partsOf(message.content, dropped) });
  }
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  const config = isObject(body.toolConfig) ? body.toolConfig : {};
  const tools = (Array.isArray(config.tools) ? config.tools : []).flatMap((tool) => {
    const spec = isObject(tool) && isObject(tool.toolSpec) ? tool.toolSpec : null;
    if (spec === null || typeof spec.name !== "string") return [];
    const schema = isObject(spec.inputSchema) && isObject(spec.inputSchema.json) ? spec.inputSchema.json : { type: "object" };
    return [{ name: spec.name, ...(typeof spec.description === "string" ? { description: spec.description } : {}), parameters: schema }];
  });
  const extra = isObject(body.additionalModelRequestFields) ? body.additionalModelRequestFields : {};
  const thinking = isObject(extra.thinking) ? extra.thinking : null;
  return {
    model: typeof body.modelId === "string" ? body.modelId : "",
    system,
    messages,
    tools,
    toolChoice: toolChoiceOf(config),
    parallelToolCalls: null,
    maxTokens: numberOr(inference.maxTokens),
    temperature: numberOr(inference.temperature),
    topP: numberOr(inference.topP),
    topK: numberOr(extra.top_k),
    stop: Array.isArray(inference.stopSequences) ? inference.stopSequences.filter((s): s is string => typeof s === "string") : [],
    seed: null,
    frequencyPenalty: null,
    presencePenalty: null,
    responseFormat: null,
    reasoning: thinking !== null && typeof thinking.budget_tokens === "number" ? { budgetTokens: thinking.budget_tokens } : null,
    stream: false,
    user: null,
    dropped: [...dropped],
  };
}
