/**
 * OpenAI chat completions requests ↔ the neutral form. Parsing serves an OpenAI client in front of
 * a provider of another format; encoding serves a client of another format in front of an
 * OpenAI-format provider (OpenAI itself, and every OpenAI-compatible server).
 */
import type {
  CanonicalMessage,
  CanonicalRequest,
  CanonicalTool,
  ContentPart,
  ImagePart,
  Reasoning,
  ReasoningEffort,
  ResponseFormat,
  TextPart,
  ToolChoice,
} from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { EncodedRequest, EncodeOptions } from "../../core/dialect.ts";
import { badRequest } from "../../core/errors.ts";
import { sourceFromUrl, urlFromSource } from "../media.ts";
import { type Json, isObject, numberOr } from "../json.ts";

/** Fields the neutral form carries, or that only steer the OpenAI stream (`stream_options`). */
const MAPPED = new Set([
  "model", "messages", "tools", "functions", "tool_choice", "function_call", "parallel_tool_calls", "max_tokens",
  "max_completion_tokens", "temperature", "top_p", "stop", "seed", "frequency_penalty", "presence_penalty",
  "response_format", "reasoning_effort", "stream", "stream_options", "user", "safety_identifier", "n",
]);

/** Fields whose meaning no other format can keep: translating without them would answer a different request. */
const REFUSED: Readonly<Record<string, string>> = {
  audio: "audio output",
  modalities: "output modalities",
  web_search_options: "OpenAI's web search",
  prediction: "predicted outputs",
};

function unsupported(what: string, param: string): never {
  throw badRequest(`${what} cannot be translated for this target, which does not speak OpenAI chat completions.`, param, "unsupported_parameter");
}

function textPartsOf(content: unknown, param: string): TextPart[] {
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (content == null) return [];
  if (!Array.isArray(content)) throw badRequest(`Invalid value for '${param}': must be a string or an array of content parts.`, param, "invalid_value");
  const parts: TextPart[] = [];
  content.forEach((part, i) => {
    if (isObject(part) && (part.type === "text" || part.type === "refusal")) {
      const text = part.type === "text" ? part.text : part.refusal;
      if (typeof text === "string") parts.push({ type: "text", text });
    } else throw badRequest(`Invalid value for '${param}[${i}]': only text parts are allowed here.`, `${param}[${i}]`, "invalid_value");
  });
  return parts;
}

function userPartsOf(content: unknown, param: string): ContentPart[] {
  if (!Array.isArray(content)) return textPartsOf(content, param);
  const parts: ContentPart[] = [];
  content.forEach((part, i) => {
    const where = `${param}[${i}]`;
    if (!isObject(part)) throw badRequest(`Invalid value for '${where}': must be a content part object.`, where, "invalid_value");
    switch (part.type) {
      case "text":
        if (typeof part.text === "string") parts.push({ type: "text", text: part.text });
        break;
      case "image_url": {
        const image = part.image_url;
        const url = isObject(image) ? image.url : image;
        if (typeof url !== "string") throw badRequest(`Invalid value for '${where}.image_url.url': must be a string.`, `${where}.image_url.url`, "invalid_value");
        const detail = isObject(image) && (image.detail === "low" || image.detail === "high" || image.detail === "auto") ? image.detail : undefined;
        parts.push(detail === undefined ? { type: "image", source: sourceFromUrl(url) } : { type: "image", source: sourceFromUrl(url), detail });
        break;
      }
      case "file": {
        const file = isObject(part.file) ? part.file : {};
        if (typeof file.file_data !== "string") unsupported("A file part without inline `file_data` (an uploaded `file_id`)", `${where}.file`);
        const filename = typeof file.filename === "string" ? file.filename : undefined;
        parts.push(filename === undefined ? { type: "document", source: sourceFromUrl(file.file_data) } : { type: "document", source: sourceFromUrl(file.file_data), filename });
        break;
      }
      case "input_audio":
        unsupported("Audio input", where);
        break;
      default:
        throw badRequest(`Invalid value for '${where}.type': unknown content part type.`, `${where}.type`, "invalid_value");
    }
  });
  return parts;
}

function toolCallsOf(calls: unknown, param: string): ContentPart[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call, i) => {
    const fn = isObject(call) && isObject(call.function) ? call.function : null;
    if (fn === null || typeof fn.name !== "string" || typeof call.id !== "string") {
      throw badRequest(`Invalid value for '${param}[${i}]': a tool call needs an id and a function name.`, `${param}[${i}]`, "invalid_value");
    }
    return { type: "tool_call", id: call.id, name: fn.name, arguments: typeof fn.arguments === "string" && fn.arguments.length > 0 ? fn.arguments : "{}" };
  });
}

function messagesOf(body: RequestBody): { system: TextPart[]; messages: CanonicalMessage[] } {
  const system: TextPart[] = [];
  const messages: CanonicalMessage[] = [];
  const raw = body.messages as readonly unknown[];
  raw.forEach((value, i) => {
    const m = value as Json;
    const param = `messages[${i}].content`;
    switch (m.role) {
      case "system":
      case "developer":
        // Instructions before the first turn are the system prompt; later ones keep their place.
        if (messages.length === 0) system.push(...textPartsOf(m.content, param));
        else messages.push({ role: "system", content: textPartsOf(m.content, param) });
        break;
      case "user":
        messages.push({ role: "user", content: userPartsOf(m.content, param) });
        break;
      case "assistant": {
        const content: ContentPart[] = textPartsOf(m.content, param);
        if (typeof m.refusal === "string" && m.refusal.length > 0 && content.length === 0) content.push({ type: "text", text: m.refusal });
        content.push(...toolCallsOf(m.tool_calls, `messages[${i}].tool_calls`));
        const legacy = m.function_call;
        if (isObject(legacy) && typeof legacy.name === "string") {
          content.push({ type: "tool_call", id: `call_${i}`, name: legacy.name, arguments: typeof legacy.arguments === "string" ? legacy.arguments : "{}" });
        }
        messages.push({ role: "assistant", content });
        break;
      }
      case "tool": {
        if (typeof m.tool_call_id !== "string") throw badRequest(`Missing required parameter: 'messages[${i}].tool_call_id'.`, `messages[${i}].tool_call_id`, "missing_required_parameter");
        const result: ContentPart = { type: "tool_result", callId: m.tool_call_id, content: textPartsOf(m.content, param), isError: false };
        // Results of one turn's calls travel together, at the head of one user message.
        const last = messages[messages.length - 1];
        if (last !== undefined && last.role === "user" && last.content.every((part) => part.type === "tool_result")) {
          messages[messages.length - 1] = { role: "user", content: [...last.content, result] };
        } else messages.push({ role: "user", content: [result] });
        break;
      }
      case "function":
        unsupported("A message with the deprecated role 'function'", `messages[${i}].role`);
        break;
      default:
        throw badRequest(`Invalid value for 'messages[${i}].role': unknown role.`, `messages[${i}].role`, "invalid_value");
    }
  });
  return { system, messages };
}

function toolsOf(body: RequestBody): CanonicalTool[] {
  const tools: CanonicalTool[] = [];
  const add = (fn: Json, param: string): void => {
    if (typeof fn.name !== "string") throw badRequest(`Missing required parameter: '${param}.name'.`, `${param}.name`, "missing_required_parameter");
    const parameters = isObject(fn.parameters) ? fn.parameters : { type: "object", properties: {} };
    const tool: { -readonly [K in keyof CanonicalTool]: CanonicalTool[K] } = { name: fn.name, parameters };
    if (typeof fn.description === "string") tool.description = fn.description;
    if (typeof fn.strict === "boolean") tool.strict = fn.strict;
    tools.push(tool);
  };
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool, i) => {
      if (!isObject(tool) || tool.type !== "function" || !isObject(tool.function)) unsupported(`A tool of type '${isObject(tool) ? String(tool.type) : "?"}'`, `tools[${i}]`);
      add(tool.function, `tools[${i}].function`);
    });
  }
  if (Array.isArray(body.functions)) body.functions.forEach((fn, i) => isObject(fn) && add(fn, `functions[${i}]`));
  return tools;
}

function toolChoiceOf(choice: unknown): ToolChoice | null {
  if (choice === undefined || choice === null) return null;
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice };
  if (isObject(choice)) {
    const fn = isObject(choice.function) ? choice.function : choice;
    if (typeof fn.name === "string") return { type: "tool", name: fn.name };
  }
  return unsupported("This tool_choice", "tool_choice");
}

function responseFormatOf(format: unknown): ResponseFormat | null {
  if (!isObject(format)) return null;
  if (format.type === "text") return { type: "text" };
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema" && isObject(format.json_schema)) {
    const spec = format.json_schema;
    const schema = isObject(spec.schema) ? spec.schema : { type: "object" };
    const out: { -readonly [K in keyof Extract<ResponseFormat, { type: "json_schema" }>]: Extract<ResponseFormat, { type: "json_schema" }>[K] } = {
      type: "json_schema",
      name: typeof spec.name === "string" ? spec.name : "response",
      schema,
    };
    if (typeof spec.strict === "boolean") out.strict = spec.strict;
    if (typeof spec.description === "string") out.description = spec.description;
    return out;
  }
  return unsupported("This response_format", "response_format");
}

const EFFORTS = new Set<ReasoningEffort>(["none", "minimal", "low", "medium", "high", "xhigh"]);

function reasoningOf(effort: unknown): Reasoning | null {
  if (typeof effort !== "string" || !EFFORTS.has(effort as ReasoningEffort)) return null;
  return effort === "none" ? { disabled: true } : { effort: effort as ReasoningEffort };
}

/** An OpenAI chat completions body in neutral form; throws a 400 where translation would change its meaning. */
export function parseOpenAIRequest(body: RequestBody): CanonicalRequest {
  const dropped: string[] = [];
  for (const key in body) {
    if (MAPPED.has(key)) continue;
    const refused = REFUSED[key];
    if (refused !== undefined && body[key] != null) unsupported(`Requesting ${refused} ('${key}')`, key);
    dropped.push(key);
  }
  if (typeof body.n === "number" && body.n > 1) unsupported("More than one choice ('n' > 1)", "n");
  const { system, messages } = messagesOf(body);
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === "string") : [];
  const user = typeof body.user === "string" ? body.user : typeof body.safety_identifier === "string" ? body.safety_identifier : null;
  return {
    model: body.model as string,
    system,
    messages,
    tools: toolsOf(body),
    toolChoice: toolChoiceOf(body.tool_choice ?? body.function_call),
    parallelToolCalls: typeof body.parallel_tool_calls === "boolean" ? body.parallel_tool_calls : null,
    maxTokens: numberOr(body.max_completion_tokens) ?? numberOr(body.max_tokens),
    temperature: numberOr(body.temperature),
    topP: numberOr(body.top_p),
    topK: null,
    stop,
    seed: numberOr(body.seed),
    frequencyPenalty: numberOr(body.frequency_penalty),
    presencePenalty: numberOr(body.presence_penalty),
    responseFormat: responseFormatOf(body.response_format),
    reasoning: reasoningOf(body.reasoning_effort),
    stream: body.stream === true,
    user,
    dropped,
  };
}

// ── neutral → OpenAI ───────────────────────────────────────────────────────────────────────────

function joinText(parts: readonly TextPart[]): string {
  return parts.length === 1 ? parts[0].text : parts.map((part) => part.text).join("\n\n");
}

function openAIPart(part: ContentPart): Json {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image": {
      const image: Json = { url: urlFromSource(part.source) };
      if (part.detail !== undefined) image.detail = part.detail;
      return { type: "image_url", image_url: image };
    }
    case "document": {
      if (part.source.kind === "url") unsupported("A document given by URL", "messages");
      const file: Json = { file_data: urlFromSource(part.source) };
      file.filename = part.filename ?? part.title ?? "document";
      return { type: "file", file };
    }
    default:
      throw new TypeError(`not a user content part: ${part.type}`);
  }
}

/** A user message's parts: one string when it is all one text, parts otherwise. */
function userContent(parts: readonly ContentPart[]): string | Json[] {
  if (parts.length === 1 && parts[0].type === "text") return parts[0].text;
  return parts.map(openAIPart);
}

function encodeMessages(request: CanonicalRequest, dropped: Set<string>): Json[] {
  const out: Json[] = [];
  if (request.system.length > 0) out.push({ role: "system", content: joinText(request.system) });
  for (const message of request.messages) {
    if (message.role === "system") {
      const texts = message.content.filter((part): part is TextPart => part.type === "text");
      if (texts.length > 0) out.push({ role: "system", content: joinText(texts) });
      continue;
    }
    if (message.role === "assistant") {
      const texts: TextPart[] = [];
      const calls: Json[] = [];
      for (const part of message.content) {
        if (part.type === "text") texts.push(part);
        else if (part.type === "tool_call") calls.push({ id: part.id, type: "function", function: { name: part.name, arguments: part.arguments } });
        else if (part.type === "thinking" || part.type === "redacted_thinking") dropped.add("thinking");
      }
      const assistant: Json = { role: "assistant", content: texts.length === 0 ? null : joinText(texts) };
      if (calls.length > 0) assistant.tool_calls = calls;
      out.push(assistant);
      continue;
    }
    // A user message: its tool results become tool messages, which must come first.
    const rest: ContentPart[] = [];
    const toolImages: ImagePart[] = [];
    for (const part of message.content) {
      if (part.type === "tool_result") {
        const texts: TextPart[] = [];
        for (const item of part.content) (item.type === "text" ? texts.push(item) : toolImages.push(item));
        let content = joinText(texts);
        if (texts.length === 0) content = part.isError ? "error" : "";
        out.push({ role: "tool", tool_call_id: part.callId, content: part.isError ? `Error: ${content}` : content });
      } else if (part.type === "thinking" || part.type === "redacted_thinking") {
        dropped.add("thinking");
      } else rest.push(part);
    }
    // Tool messages carry text only: images a tool returned follow in a user message.
    rest.unshift(...toolImages);
    if (rest.length > 0) out.push({ role: "user", content: userContent(rest) });
  }
  return out;
}

/** Anthropic thinking budgets, in OpenAI's words: asked for by effort only. */
function effortOf(reasoning: Reasoning, dropped: Set<string>): string | null {
  if (reasoning.disabled === true) return null;
  if (reasoning.effort !== undefined) return reasoning.effort === "max" ? "xhigh" : reasoning.effort;
  // A token budget has no OpenAI counterpart, and a model that does not reason would refuse an effort.
  if (reasoning.budgetTokens !== undefined) dropped.add("reasoning");
  return null;
}

/** A neutral request as an OpenAI chat completions body for `options.model`. */
export function encodeOpenAIRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = { model: options.model, messages: encodeMessages(request, dropped) };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: Json = { name: tool.name };
      if (tool.description !== undefined) fn.description = tool.description;
      fn.parameters = tool.parameters;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: "function", function: fn };
    });
    if (request.parallelToolCalls !== null) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const choice = request.toolChoice;
  if (choice !== null) body.tool_choice = choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
  if (request.maxTokens !== null) body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== null) body.temperature = request.temperature;
  if (request.topP !== null) body.top_p = request.topP;
  if (request.topK !== null) dropped.add("top_k");
  if (request.stop.length > 0) body.stop = request.stop.slice();
  if (request.seed !== null) body.seed = request.seed;
  if (request.frequencyPenalty !== null) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== null) body.presence_penalty = request.presencePenalty;
  const format = request.responseFormat;
  if (format !== null) {
    if (format.type === "json_schema") {
      const spec: Json = { name: format.name, schema: format.schema };
      if (format.strict !== undefined) spec.strict = format.strict;
      if (format.description !== undefined) spec.description = format.description;
      body.response_format = { type: "json_schema", json_schema: spec };
    } else body.response_format = { type: format.type };
  }
  if (request.reasoning !== null) {
    const effort = effortOf(request.reasoning, dropped);
    if (effort !== null) body.reasoning_effort = effort;
  }
  if (request.user !== null) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = { include_usage: true };
  }
  return { body, dropped: [...dropped] };
}
