/**
 * OpenAI Responses API requests ↔ the neutral form. Parsing serves a Responses client (the Vercel
 * AI SDK's default OpenAI provider, `client.responses.create`, LangChain) in front of a provider
 * that does not speak the Responses API; encoding serves any client in front of one that does.
 * Translation is stateless: what only a Responses server can keep (earlier responses,
 * conversations, item references, background runs) is refused with a 400 naming the field.
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
import { isObject, type Json, numberOr } from "../json.ts";

/** Fields the neutral form carries, or that steer nothing a stateless translation keeps (`store: false`). */
const MAPPED = new Set([
  "model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "max_output_tokens", "temperature", "top_p",
  "text", "reasoning", "stream", "user", "safety_identifier",
]);

/** Fields that point at state a Responses server keeps: a translation has nowhere to find it. */
const STATEFUL: Readonly<Record<string, string>> = {
  previous_response_id: "An earlier response ('previous_response_id')",
  conversation: "A stored conversation ('conversation')",
  prompt: "A stored prompt template ('prompt')",
  background: "A background response ('background')",
};

function unsupported(what: string, param: string): never {
  throw badRequest(`${what} cannot be translated for this target, which does not speak the OpenAI Responses API.`, param, "unsupported_parameter");
}

function stateful(what: string, param: string): never {
  const message = `${what} needs state kept by a Responses API server, and this model's target does not speak the Responses API; send the whole conversation in 'input' instead.`;
  throw badRequest(message, param, "server_state_required");
}

function invalid(param: string, what: string): never {
  throw badRequest(`Invalid value for '${param}': ${what}.`, param, "invalid_value");
}

function textParts(content: unknown, param: string): TextPart[] {
  if (typeof content === "string") return content.length === 0 ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) invalid(param, "must be a string or an array of content parts");
  const parts: TextPart[] = [];
  content.forEach((part, i) => {
    if (!isObject(part)) invalid(`${param}[${i}]`, "must be a content part object");
    const text = part.type === "refusal" ? part.refusal : part.text;
    if ((part.type === "input_text" || part.type === "output_text" || part.type === "refusal" || part.type === "text") && typeof text === "string") parts.push({ type: "text", text });
    else invalid(`${param}[${i}]`, "only text parts are allowed here");
  });
  return parts;
}

function userParts(content: unknown, param: string): ContentPart[] {
  if (!Array.isArray(content)) return textParts(content, param);
  return content.map((part, i): ContentPart => {
    const where = `${param}[${i}]`;
    if (!isObject(part)) invalid(where, "must be a content part object");
    switch (part.type) {
      case "input_text":
      case "output_text":
        if (typeof part.text !== "string") invalid(`${where}.text`, "must be a string");
        return { type: "text", text: part.text };
      case "input_image": {
        if (typeof part.image_url !== "string") unsupported("An image given by 'file_id' (uploaded to OpenAI)", where);
        const image: ImagePart = { type: "image", source: sourceFromUrl(part.image_url) };
        return part.detail === "low" || part.detail === "high" || part.detail === "auto" ? { ...image, detail: part.detail } : image;
      }
      case "input_file": {
        const filename = typeof part.filename === "string" ? part.filename : undefined;
        const data = typeof part.file_data === "string" ? part.file_data : typeof part.file_url === "string" ? part.file_url : null;
        if (data === null) unsupported("A file given by 'file_id' (uploaded to OpenAI)", where);
        const source = sourceFromUrl(data);
        // Inline data may come as bare base64 (the SDKs' examples send a data URL, others do not).
        const inline = source.kind === "url" && typeof part.file_data === "string" ? { kind: "base64" as const, mediaType: "application/pdf", data } : source;
        return filename === undefined ? { type: "document", source: inline } : { type: "document", source: inline, filename };
      }
      case "input_audio":
        return unsupported("Audio input", where);
      default:
        return invalid(`${where}.type`, "unknown content part type");
    }
  });
}

function toolOutput(output: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof output === "string") return output.length === 0 ? [] : [{ type: "text", text: output }];
  if (!Array.isArray(output)) invalid(param, "must be a string or an array of content parts");
  return userParts(output, param).map((part, i) => {
    if (part.type !== "text" && part.type !== "image") unsupported("A file inside a function call output", `${param}[${i}]`);
    return part;
  });
}

/** Input items as neutral turns: consecutive assistant-side items (messages, calls) make one turn, consecutive call outputs one user turn. */
function inputOf(body: RequestBody, dropped: Set<string>): { system: TextPart[]; messages: CanonicalMessage[] } {
  const system: TextPart[] = typeof body.instructions === "string" && body.instructions.length > 0 ? [{ type: "text", text: body.instructions }] : [];
  const messages: CanonicalMessage[] = [];
  const input = body.input;
  if (typeof input === "string") return { system, messages: [{ role: "user", content: [{ type: "text", text: input }] }] };
  if (!Array.isArray(input)) return { system, messages };
  let current: { role: CanonicalMessage["role"]; content: ContentPart[]; calls: boolean } | null = null;
  const push = (role: CanonicalMessage["role"], parts: readonly ContentPart[], calls = false): void => {
    // Assistant turns gather their calls; tool outputs gather into one user turn; nothing else merges.
    if (current !== null && current.role === role && (role === "assistant" || (calls && current.calls))) current.content.push(...parts);
    else {
      current = { role, content: [...parts], calls };
      messages.push(current);
    }
  };
  input.forEach((value, i) => {
    const param = `input[${i}]`;
    if (!isObject(value)) invalid(param, "must be an input item object");
    const type = value.type ?? "message";
    switch (type) {
      case "message": {
        const where = `${param}.content`;
        switch (value.role) {
          case "system":
          case "developer":
            if (messages.length === 0) system.push(...textParts(value.content, where));
            else push("system", textParts(value.content, where));
            break;
          case "user":
            push("user", userParts(value.content, where));
            break;
          case "assistant":
            push("assistant", textParts(value.content, where));
            break;
          default:
            invalid(`${param}.role`, "unknown role");
        }
        break;
      }
      case "function_call":
        if (typeof value.call_id !== "string" || typeof value.name !== "string") invalid(param, "a function call needs a call_id and a name");
        push("assistant", [{ type: "tool_call", id: value.call_id, name: value.name, arguments: typeof value.arguments === "string" && value.arguments.length > 0 ? value.arguments : "{}" }]);
        break;
      case "function_call_output":
        if (typeof value.call_id !== "string") invalid(`${param}.call_id`, "must be a string");
        push("user", [{ type: "tool_result", callId: value.call_id, content: toolOutput(value.output, `${param}.output`), isError: false }], true);
        break;
      case "reasoning":
        // Another model's reasoning cannot be replayed to this one; the turn stands without it.
        dropped.add("input.reasoning");
        break;
      case "item_reference":
        return stateful("An item reference ('item_reference')", param);
      default:
        return unsupported(`An input item of type '${String(type)}'`, `${param}.type`);
    }
  });
  return { system, messages: messages.map((m) => ({ role: m.role, content: m.content })) };
}

function toolsOf(tools: unknown): CanonicalTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.map((tool, i) => {
    if (!isObject(tool) || tool.type !== "function") return unsupported(`The built-in tool '${isObject(tool) ? String(tool.type) : "?"}'`, `tools[${i}]`);
    if (typeof tool.name !== "string") throw badRequest(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, "missing_required_parameter");
    const out: { -readonly [K in keyof CanonicalTool]: CanonicalTool[K] } = { name: tool.name, parameters: isObject(tool.parameters) ? tool.parameters : { type: "object", properties: {} } };
    if (typeof tool.description === "string") out.description = tool.description;
    if (typeof tool.strict === "boolean") out.strict = tool.strict;
    return out;
  });
}

function toolChoiceOf(choice: unknown): ToolChoice | null {
  if (choice == null) return null;
  if (choice === "auto" || choice === "none" || choice === "required") return { type: choice };
  if (isObject(choice) && choice.type === "function" && typeof choice.name === "string") return { type: "tool", name: choice.name };
  return unsupported("This tool_choice", "tool_choice");
}

function formatOf(text: unknown, dropped: Set<string>): ResponseFormat | null {
  if (!isObject(text)) return null;
  for (const key in text) if (key !== "format") dropped.add(`text.${key}`);
  const format = text.format;
  if (!isObject(format)) return null;
  if (format.type === "text" || format.type === "json_object") return { type: format.type };
  if (format.type === "json_schema") {
    const out: { -readonly [K in keyof Extract<ResponseFormat, { type: "json_schema" }>]: Extract<ResponseFormat, { type: "json_schema" }>[K] } = {
      type: "json_schema",
      name: typeof format.name === "string" ? format.name : "response",
      schema: isObject(format.schema) ? format.schema : { type: "object" },
    };
    if (typeof format.strict === "boolean") out.strict = format.strict;
    if (typeof format.description === "string") out.description = format.description;
    return out;
  }
  return unsupported("This text.format", "text.format");
}

const EFFORTS = new Set<ReasoningEffort>(["none", "minimal", "low", "medium", "high", "xhigh"]);

function reasoningOf(reasoning: unknown, dropped: Set<string>): Reasoning | null {
  if (!isObject(reasoning)) return null;
  if (reasoning.summary != null || reasoning.generate_summary != null) dropped.add("reasoning.summary");
  const effort = reasoning.effort;
  if (typeof effort !== "string" || !EFFORTS.has(effort as ReasoningEffort)) return null;
  return effort === "none" ? { disabled: true } : { effort: effort as ReasoningEffort };
}

/** A Responses API body in neutral form; throws a 400 where translation would change its meaning. */
export function parseResponsesRequest(body: RequestBody): CanonicalRequest {
  const dropped = new Set<string>();
  for (const key in body) {
    if (MAPPED.has(key) || body[key] == null) continue;
    const state = STATEFUL[key];
    if (state !== undefined && body[key] !== false) stateful(state, key);
    // A translation stores nothing, which is what `store: false` asks for.
    if (key === "store" && body.store === false) continue;
    if (key !== "background") dropped.add(key);
  }
  const { system, messages } = inputOf(body, dropped);
  const format = formatOf(body.text, dropped);
  const reasoning = reasoningOf(body.reasoning, dropped);
  const user = typeof body.user === "string" ? body.user : typeof body.safety_identifier === "string" ? body.safety_identifier : null;
  return {
    model: body.model as string,
    system,
    messages,
    tools: toolsOf(body.tools),
    toolChoice: toolChoiceOf(body.tool_choice),
    parallelToolCalls: typeof body.parallel_tool_calls === "boolean" ? body.parallel_tool_calls : null,
    maxTokens: numberOr(body.max_output_tokens),
    temperature: numberOr(body.temperature),
    topP: numberOr(body.top_p),
    topK: null,
    stop: [],
    seed: null,
    frequencyPenalty: null,
    presencePenalty: null,
    responseFormat: format,
    reasoning,
    stream: body.stream === true,
    user,
    dropped: [...dropped],
  };
}

// ── neutral → Responses ────────────────────────────────────────────────────────────────────────

function inputPart(part: ContentPart): Json {
  switch (part.type) {
    case "text":
      return { type: "input_text", text: part.text };
    case "image": {
      const image: Json = { type: "input_image", image_url: urlFromSource(part.source) };
      if (part.detail !== undefined) image.detail = part.detail;
      return image;
    }
    case "document": {
      const file: Json = part.source.kind === "url" ? { type: "input_file", file_url: part.source.url } : { type: "input_file", file_data: urlFromSource(part.source) };
      file.filename = part.filename ?? part.title ?? "document";
      return file;
    }
    default:
      throw new TypeError(`not an input content part: ${part.type}`);
  }
}

function encodeInput(request: CanonicalRequest, dropped: Set<string>): Json[] {
  const items: Json[] = [];
  // One instruction is `instructions`; several keep their parts in a leading system message.
  if (request.system.length > 1) items.push({ role: "system", content: request.system.map(inputPart) });
  for (const message of request.messages) {
    if (message.role === "system") {
      const texts = message.content.filter((part) => part.type === "text");
      if (texts.length > 0) items.push({ role: "system", content: texts.map(inputPart) });
      continue;
    }
    if (message.role === "assistant") {
      let texts: Json[] = [];
      const flush = (): void => {
        if (texts.length > 0) items.push({ role: "assistant", content: texts });
        texts = [];
      };
      for (const part of message.content) {
        if (part.type === "text") texts.push({ type: "output_text", text: part.text });
        else if (part.type === "tool_call") {
          flush();
          items.push({ type: "function_call", call_id: part.id, name: part.name, arguments: part.arguments });
        } else if (part.type === "thinking" || part.type === "redacted_thinking") dropped.add("thinking");
      }
      flush();
      continue;
    }
    const rest: Json[] = [];
    for (const part of message.content) {
      if (part.type === "tool_result") {
        const texts = part.content.filter((item) => item.type === "text");
        const output = part.content.length === texts.length
          ? (part.isError ? "Error: " : "") + texts.map((t) => t.text).join("\n\n")
          : part.content.map(inputPart);
        items.push({ type: "function_call_output", call_id: part.callId, output });
      } else if (part.type === "thinking" || part.type === "redacted_thinking") dropped.add("thinking");
      else rest.push(inputPart(part));
    }
    if (rest.length > 0) items.push({ role: "user", content: rest });
  }
  return items;
}

function encodeFormat(format: ResponseFormat): Json {
  if (format.type !== "json_schema") return { type: format.type };
  const out: Json = { type: "json_schema", name: format.name, schema: format.schema };
  if (format.strict !== undefined) out.strict = format.strict;
  if (format.description !== undefined) out.description = format.description;
  return out;
}

/** A neutral request as a stateless Responses API body (`store: false`) for `options.model`. */
export function encodeResponsesRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest {
  const dropped = new Set<string>(request.dropped);
  const body: Json = { model: options.model };
  if (request.system.length === 1) body.instructions = request.system[0].text;
  body.input = encodeInput(request, dropped);
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const out: Json = { type: "function", name: tool.name };
      if (tool.description !== undefined) out.description = tool.description;
      out.parameters = tool.parameters;
      if (tool.strict !== undefined) out.strict = tool.strict;
      return out;
    });
    if (request.parallelToolCalls !== null) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const choice = request.toolChoice;
  if (choice !== null) body.tool_choice = choice.type === "tool" ? { type: "function", name: choice.name } : choice.type;
  if (request.maxTokens !== null) body.max_output_tokens = request.maxTokens;
  if (request.temperature !== null) body.temperature = request.temperature;
  if (request.topP !== null) body.top_p = request.topP;
  // The Responses API has no stop sequences, top_k, seed or penalties.
  if (request.topK !== null) dropped.add("top_k");
  if (request.stop.length > 0) dropped.add("stop");
  if (request.seed !== null) dropped.add("seed");
  if (request.frequencyPenalty !== null) dropped.add("frequency_penalty");
  if (request.presencePenalty !== null) dropped.add("presence_penalty");
  if (request.responseFormat !== null) body.text = { format: encodeFormat(request.responseFormat) };
  const reasoning = request.reasoning;
  if (reasoning !== null) {
    if (reasoning.disabled === true) body.reasoning = { effort: "none" };
    else if (reasoning.effort !== undefined) body.reasoning = { effort: reasoning.effort === "max" ? "xhigh" : reasoning.effort };
    else if (reasoning.budgetTokens !== undefined) dropped.add("reasoning");
  }
  if (request.user !== null) body.user = request.user;
  body.store = false;
  if (request.stream) body.stream = true;
  return { body, dropped: [...dropped] };
}
