/**
 * Gemini `generateContent` requests ↔ the neutral form. Parsing serves a Gemini client (the
 * google-genai SDKs, Gemini CLI) in front of a provider of another format; encoding serves a client
 * of another format in front of Gemini. The model and the stream flag live in the request's path;
 * the surface binds them into the body as `model` and `stream` (`bindGeminiRoute`).
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  MediaSource,
  Reasoning,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolResultPart,
} from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { EncodedRequest, EncodeOptions } from "../../core/dialect.ts";
import { badRequest } from "../../core/errors.ts";
import { isObject, type Json, numberOr } from "../json.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";
import { jsonSchemaOf } from "./schema.ts";

/** Top-level fields the neutral form carries (`model` and `stream` are the path's). */
const MAPPED = new Set(["model", "stream", "contents", "systemInstruction", "tools", "toolConfig", "generationConfig"]);
/** generationConfig fields the neutral form carries. */
const MAPPED_CONFIG = new Set([
  "maxOutputTokens", "temperature", "topP", "topK", "stopSequences", "seed", "presencePenalty", "frequencyPenalty",
  "responseMimeType", "responseSchema", "responseJsonSchema", "thinkingConfig",
]);

function unsupported(what: string, param: string): never {
  throw badRequest(`${what} cannot be translated for this target, which does not speak the Gemini API.`, param, "unsupported_parameter");
}

/**
 * Gemini before version 3 gives function calls no ids and matches responses to calls by name, in
 * order. Calls without an id get one from their position in the conversation; a response without
 * one takes the oldest unanswered call of its name.
 */
class CallIds {
  private count = 0;
  private readonly pending = new Map<string, string[]>();

  call(name: string, id: unknown): string {
    const assigned = typeof id === "string" && id.length > 0 ? id : `call_${this.count}`;
    this.count++;
    let queue = this.pending.get(name);
    if (queue === undefined) this.pending.set(name, (queue = []));
    queue.push(assigned);
    return assigned;
  }

  response(name: string, id: unknown): string {
    const queue = this.pending.get(name);
    if (typeof id === "string" && id.length > 0) {
      const at = queue?.indexOf(id) ?? -1;
      if (at >= 0) queue!.splice(at, 1);
      return id;
    }
    return queue?.shift() ?? `call_${name}`;
  }
}

function mediaOf(part: Json, where: string): MediaSource {
  if (isObject(part.inlineData) && typeof part.inlineData.data === "string") {
    return { kind: "base64", mediaType: typeof part.inlineData.mimeType === "string" ? part.inlineData.mimeType : "application/octet-stream", data: part.inlineData.data };
  }
  if (isObject(part.fileData) && typeof part.fileData.fileUri === "string") return { kind: "url", url: part.fileData.fileUri };
  throw badRequest(`Invalid value for '${where}': a media part needs inlineData.data or fileData.fileUri.`, where, "invalid_value");
}

function mimeOf(part: Json): string {
  const holder = isObject(part.inlineData) ? part.inlineData : isObject(part.fileData) ? part.fileData : {};
  return typeof holder.mimeType === "string" ? holder.mimeType : "";
}

/** A functionResponse's `response` as tool-result text: the JSON object, or the bare string a `{result: "…"}` or `{output: "…"}` wraps. */
function resultText(response: unknown): string {
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && (keys[0] === "result" || keys[0] === "output") && typeof response[keys[0]] === "string") return response[keys[0]] as string;
  }
  return JSON.stringify(response ?? {});
}

function partsOf(parts: readonly unknown[], where: string, ids: CallIds, dropped: Set<string>): ContentPart[] {
  const out: ContentPart[] = [];
  parts.forEach((value, i) => {
    const part = value as Json;
    const at = `${where}[${i}]`;
    if (typeof part.text === "string") {
      if (part.thought === true) out.push({ type: "thinking", text: part.text, signature: typeof part.thoughtSignature === "string" ? part.thoughtSignature : null });
      else out.push({ type: "text", text: part.text });
    } else if (isObject(part.functionCall)) {
      const call = part.functionCall;
      if (typeof call.name !== "string") throw badRequest(`Missing required parameter: '${at}.functionCall.name'.`, `${at}.functionCall.name`, "missing_required_parameter");
      out.push({ type: "tool_call", id: ids.call(call.name, call.id), name: call.name, arguments: JSON.stringify(call.args ?? {}) });
    } else if (isObject(part.functionResponse)) {
      const response = part.functionResponse;
      if (typeof response.name !== "string") throw badRequest(`Missing required parameter: '${at}.functionResponse.name'.`, `${at}.functionResponse.name`, "missing_required_parameter");
      const result: ToolResultPart = { type: "tool_result", callId: ids.response(response.name, response.id), content: [{ type: "text", text: resultText(response.response) }], isError: false };
      out.push(result);
    } else if (isObject(part.inlineData) || isObject(part.fileData)) {
      const source = mediaOf(part, at);
      out.push(mimeOf(part).startsWith("image/") ? { type: "image", source } : { type: "document", source });
    } else if (isObject(part.executableCode) || isObject(part.codeExecutionResult)) {
      // Code Gemini ran on its own servers: no other format can hold it.
      dropped.add(isObject(part.executableCode) ? "executableCode" : "codeExecutionResult");
    } else {
      throw badRequest(`Invalid value for '${at}': a part needs text, inlineData, fileData, functionCall or functionResponse.`, at, "invalid_value");
    }
  });
  return out;
}

function messagesOf(contents: readonly Json[], dropped: Set<string>): CanonicalMessage[] {
  const ids = new CallIds();
  return contents.map((c, i) => ({
    role: c.role === "model" ? "assistant" : "user",
    content: partsOf(c.parts as unknown[], `contents[${i}].parts`, ids, dropped),
  }));
}

function systemOf(instruction: unknown): TextPart[] {
  if (!isObject(instruction) || !Array.isArray(instruction.parts)) return [];
  return instruction.parts.map((part, i): TextPart => {
    if (!isObject(part) || typeof part.text !== "string") throw badRequest(`Invalid value for 'systemInstruction.parts[${i}]': must be a text part.`, `systemInstruction.parts[${i}]`, "invalid_value");
    return { type: "text", text: part.text };
  });
}

function toolsOf(tools: unknown): CanonicalTool[] {
  if (!Array.isArray(tools)) return [];
  const out: CanonicalTool[] = [];
  tools.forEach((tool, i) => {
    if (!isObject(tool)) return;
    for (const key in tool) {
      // googleSearch, codeExecution, urlContext … run on Google's servers.
      if (key !== "functionDeclarations") unsupported(`The built-in tool '${key}'`, `tools[${i}].${key}`);
    }
    const declarations = Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    declarations.forEach((value, j) => {
      const fn = value as Json;
      const where = `tools[${i}].functionDeclarations[${j}]`;
      if (!isObject(fn) || typeof fn.name !== "string") throw badRequest(`Missing required parameter: '${where}.name'.`, `${where}.name`, "missing_required_parameter");
      const schema = isObject(fn.parametersJsonSchema) ? fn.parametersJsonSchema : isObject(fn.parameters) ? jsonSchemaOf(fn.parameters) as Json : { type: "object", properties: {} };
      const declared: { -readonly [K in keyof CanonicalTool]: CanonicalTool[K] } = { name: fn.name, parameters: schema };
      if (typeof fn.description === "string") declared.description = fn.description;
      out.push(declared);
    });
  });
  return out;
}

function toolChoiceOf(config: unknown, dropped: Set<string>): ToolChoice | null {
  const calling = isObject(config) && isObject(config.functionCallingConfig) ? config.functionCallingConfig : null;
  if (calling === null) return null;
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((n): n is string => typeof n === "string") : [];
  switch (calling.mode) {
    case "NONE":
      return { type: "none" };
    case "ANY":
      if (allowed.length === 1) return { type: "tool", name: allowed[0] };
      if (allowed.length > 1) dropped.add("toolConfig.functionCallingConfig.allowedFunctionNames");
      return { type: "required" };
    case "VALIDATED":
      dropped.add("toolConfig.functionCallingConfig.mode");
      return { type: "auto" };
    case "AUTO":
    case undefined:
      return { type: "auto" };
  }
  return unsupported(`The function calling mode '${String(calling.mode)}'`, "toolConfig.functionCallingConfig.mode");
}

const LEVELS = new Set<ReasoningEffort>(["minimal", "low", "medium", "high"]);

/** `thinkingConfig` as one neutral setting: a budget (0 is off, -1 the model's own judgement), or a level. */
function reasoningOf(thinking: unknown, dropped: Set<string>): Reasoning | null {
  if (!isObject(thinking)) return null;
  const reasoning: { effort?: ReasoningEffort; budgetTokens?: number; disabled?: boolean } = {};
  const budget = numberOr(thinking.thinkingBudget);
  if (budget === 0) reasoning.disabled = true;
  else if (budget !== null && budget > 0) reasoning.budgetTokens = budget;
  const level = typeof thinking.thinkingLevel === "string" ? thinking.thinkingLevel.toLowerCase() : null;
  if (level !== null && LEVELS.has(level as ReasoningEffort)) reasoning.effort = level as ReasoningEffort;
  if (thinking.includeThoughts !== undefined) dropped.add("generationConfig.thinkingConfig.includeThoughts");
  return reasoning;
}

function formatOf(config: Json): ResponseFormat | null {
  const mime = config.responseMimeType;
  const schema = isObject(config.responseJsonSchema) ? config.responseJsonSchema : isObject(config.responseSchema) ? jsonSchemaOf(config.responseSchema) as Json : null;
  if (schema !== null) return { type: "json_schema", name: "response", schema };
  if (mime === "application/json") return { type: "json_object" };
  if (mime === "text/plain") return { type: "text" };
  if (typeof mime === "string") unsupported(`The response type '${mime}'`, "generationConfig.responseMimeType");
  return null;
}

/** A (route-bound) generateContent body in neutral form; throws a 400 where translation would change its meaning. */
export function parseGeminiRequest(body: RequestBody): CanonicalRequest {
  const dropped = new Set<string>();
  for (const key in body) {
    if (key === "cachedContent") unsupported("Content cached on Google's servers (`cachedContent`)", "cachedContent");
    if (!MAPPED.has(key)) dropped.add(key);
  }
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  for (const key in config) {
    if (key === "candidateCount" && config.candidateCount === 1) continue;
    if (!MAPPED_CONFIG.has(key)) dropped.add(`generationConfig.${key}`);
  }
  const messages = messagesOf(body.contents as Json[], dropped);
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.toolConfig, dropped);
  const stop = Array.isArray(config.stopSequences) ? config.stopSequences.filter((s): s is string => typeof s === "string") : [];
  return {
    model: body.model as string,
    system: systemOf(body.systemInstruction),
    messages,
    tools,
    toolChoice,
    parallelToolCalls: null,
    maxTokens: numberOr(config.maxOutputTokens),
    temperature: numberOr(config.temperature),
    topP: numberOr(config.topP),
    topK: numberOr(config.topK),
    stop,
    seed: numberOr(config.seed),
    frequencyPenalty: numberOr(config.frequencyPenalty),
    presencePenalty: numberOr(config.presencePenalty),
    responseFormat: formatOf(config),
    reasoning: reasoningOf(config.thinkingConfig, dropped),
    stream: body.stream === true,
    user: null,
    dropped: [...dropped],
  };
}

// ── neutral → Gemini ───────────────────────────────────────────────────────────────────────────

/** Thinking budgets for effort names, within what every thinking Gemini model takes. */
const EFFORT_BUDGETS: Readonly<Record<ReasoningEffort, number>> = { none: 0, minimal: 512, low: 2048, medium: 8192, high: 24576, xhigh: 24576, max: 24576 };

function mediaPart(source: MediaSource, fallbackMime: string): Json {
  if (source.kind === "base64") return { inlineData: { mimeType: source.mediaType, data: source.data } };
  return { fileData: { mimeType: mimeFromUrl(source.url) ?? fallbackMime, fileUri: source.url } };
}

/** A media type from a URL's extension or a `data:` URL's header; null when it does not say. */
function mimeFromUrl(url: string): string | null {
  const data = /^data:([^;,]+)/.exec(url);
  if (data !== null) return data[1];
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  switch (ext) {
    case "png":
      return "image/png";
    case "jpg":
    case "jpeg":
      return "image/jpeg";
    case "webp":
      return "image/webp";
    case "gif":
      return "image/gif";
    case "pdf":
      return "application/pdf";
    default:
      return null;
  }
}

/** A `data:` URL as inline data, which Gemini takes where it takes no such URL. */
function inlineDataUrl(source: MediaSource): MediaSource {
  if (source.kind !== "url") return source;
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  return match === null ? source : { kind: "base64", mediaType: match[1], data: match[2] };
}


/** A tool result's text as a functionResponse `response`: the JSON object it holds, or `{result: text}`. */
function responseOf(part: ToolResultPart, dropped: Set<string>): Json {
  let text = "";
  for (const item of part.content) {
    if (item.type === "text") text += item.text;
    else dropped.add("tool_result image");
  }
  // Only text that opens like an object is tried as one: a failed parse costs a thrown error, and most tool output is prose.
  if (text.trimStart().startsWith("{")) {
    try {
      const value = JSON.parse(text) as unknown;
      if (isObject(value)) return part.isError ? { error: value } : value;
    } catch {
      // Not JSON after all: wrapped below.
    }
  }
  return part.isError ? { error: text } : { result: text };
}

function encodePart(part: ContentPart, names: Map<string, string>, dropped: Set<string>): Json | null {
  switch (part.type) {
    case "text":
      return { text: part.text };
    case "image":
      return mediaPart(inlineDataUrl(part.source), "image/jpeg");
    case "document":
      return mediaPart(inlineDataUrl(part.source), "application/pdf");
    case "tool_call":
      names.set(part.id, part.name);
      return { functionCall: { id: part.id, name: part.name, args: toolArgumentsObject(part.arguments, part.id, "Gemini") } };
    case "tool_result":
      return { functionResponse: { id: part.callId, name: names.get(part.callId) ?? part.callId, response: responseOf(part, dropped) } };
    case "thinking": {
      const out: Json = { text: part.text, thought: true };
      if (part.signature !== null) out.thoughtSignature = part.signature;
      return out;
    }
    case "redacted_thinking":
      dropped.add("redacted_thinking");
      return null;
  }
}

/**
 * Gemini 3 and later refuse a replayed function call without the `thoughtSignature` they issued
 * with it (https://ai.google.dev/gemini-api/docs/thought-signatures). Calls translated from another
 * format never carry one, so the first call of each model turn gets the sentinel Google documents
 * for history that has none (later parallel calls carry none, as Gemini's own do).
 */
const SIGNATURE_SENTINEL = "skip_thought_signature_validator";
const NEEDS_SIGNATURES = /^(?:models\/)?gemini-(?:[3-9]|\d{2,})/i;

function encodeContents(request: CanonicalRequest, system: Json[], dropped: Set<string>, model: string): Json[] {
  const names = new Map<string, string>();
  const signed = NEEDS_SIGNATURES.test(model);
  const out: Json[] = [];
  for (const message of request.messages) {
    // Gemini takes instructions only before the conversation: later ones join them there.
    if (message.role === "system") {
      for (const part of message.content) if (part.type === "text") system.push({ text: part.text });
      continue;
    }
    const parts: Json[] = [];
    let firstCall = true;
    for (const part of message.content) {
      const encoded = encodePart(part, names, dropped);
      if (encoded === null) continue;
      if (signed && firstCall && part.type === "tool_call") {
        encoded.thoughtSignature = SIGNATURE_SENTINEL;
        firstCall = false;
      }
      parts.push(encoded);
    }
    if (parts.length > 0) out.push({ role: message.role === "assistant" ? "model" : "user", parts });
  }
  return out;
}

function toolConfigOf(choice: ToolChoice): Json {
  switch (choice.type) {
    case "auto":
      return { functionCallingConfig: { mode: "AUTO" } };
    case "none":
      return { functionCallingConfig: { mode: "NONE" } };
    case "required":
      return { functionCallingConfig: { mode: "ANY" } };
    case "tool":
      return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } };
  }
}

function thinkingOf(reasoning: Reasoning): Json {
  if (reasoning.disabled === true || reasoning.effort === "none") return { thinkingBudget: 0 };
  if (reasoning.budgetTokens !== undefined) return { thinkingBudget: reasoning.budgetTokens };
  if (reasoning.effort !== undefined) return { thinkingBudget: EFFORT_BUDGETS[reasoning.effort] };
  // Reasoning asked for with neither a budget nor an effort: the model's own judgement.
  return { thinkingBudget: -1 };
}

/** A neutral request as a generateContent body (the model and streaming go in the URL). */
export function encodeGeminiRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = {};
  const system: Json[] = request.system.map((part) => ({ text: part.text }));
  body.contents = encodeContents(request, system, dropped, options.model);
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (request.tools.length > 0) {
    body.tools = [{
      functionDeclarations: request.tools.map((tool) => {
        const out: Json = { name: tool.name };
        if (tool.description !== undefined) out.description = tool.description;
        out.parametersJsonSchema = tool.parameters;
        return out;
      }),
    }];
  }
  if (request.toolChoice !== null && (request.tools.length > 0 || request.toolChoice.type === "none")) body.toolConfig = toolConfigOf(request.toolChoice);
  if (request.parallelToolCalls === false) dropped.add("parallel_tool_calls");
  const config: Json = {};
  if (request.maxTokens !== null) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== null) config.temperature = request.temperature;
  if (request.topP !== null) config.topP = request.topP;
  if (request.topK !== null) config.topK = request.topK;
  if (request.stop.length > 0) config.stopSequences = request.stop.slice();
  if (request.seed !== null) config.seed = request.seed;
  if (request.presencePenalty !== null) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== null) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format !== null) {
    config.responseMimeType = format.type === "text" ? "text/plain" : "application/json";
    if (format.type === "json_schema") config.responseJsonSchema = format.schema;
  }
  if (request.reasoning !== null) config.thinkingConfig = thinkingOf(request.reasoning);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (request.user !== null) dropped.add("user");
  return { body, dropped: [...dropped] };
}
