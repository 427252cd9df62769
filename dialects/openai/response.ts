/** OpenAI `chat.completion` answers ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import type { Usage } from "../../core/types.ts";
import { usageFromOpenAI } from "./usage.ts";
import { type Json, isObject } from "../json.ts";

type Content = CanonicalResponse["content"][number];

export function finishFromOpenAI(reason: unknown): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}

export function finishToOpenAI(reason: FinishReason): string {
  switch (reason) {
    case "length":
    case "context_window":
      return "length";
    case "tool_calls":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "stop";
  }
}

/** OpenAI's usage object, with the details its SDKs read. */
export function usageToOpenAI(usage: Usage): Json {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** An OpenAI-format answer in neutral form (its first choice: translation refuses `n` > 1). */
export function parseOpenAIResponse(text: string): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: Content[] = [];
  // Reasoning text, as DeepSeek, vLLM and others return it next to the answer.
  const reasoning = typeof message.reasoning_content === "string" ? message.reasoning_content : typeof message.reasoning === "string" ? message.reasoning : "";
  if (reasoning.length > 0) content.push({ type: "thinking", text: reasoning, signature: null });
  const said = typeof message.content === "string" ? message.content : typeof message.refusal === "string" ? message.refusal : "";
  if (said.length > 0) content.push({ type: "text", text: said });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call) || !isObject(call.function)) continue;
      const fn = call.function;
      content.push({
        type: "tool_call",
        id: typeof call.id === "string" ? call.id : `call_${content.length}`,
        name: typeof fn.name === "string" ? fn.name : "",
        arguments: typeof fn.arguments === "string" && fn.arguments.length > 0 ? fn.arguments : "{}",
      });
    }
  }
  return {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    created: typeof body.created === "number" ? body.created : Math.floor(Date.now() / 1000),
    content,
    finish: finishFromOpenAI(choice.finish_reason),
    stopSequence: null,
    usage: usageFromOpenAI(body.usage),
  };
}

/** A neutral answer as an OpenAI `chat.completion`. */
export function encodeOpenAIResponse(response: CanonicalResponse): string {
  let text: string | null = null;
  let reasoning: string | null = null;
  const calls: Json[] = [];
  for (const part of response.content) {
    if (part.type === "text") text = text === null ? part.text : text + part.text;
    else if (part.type === "thinking") reasoning = reasoning === null ? part.text : reasoning + part.text;
    else if (part.type === "tool_call") calls.push({ id: part.id, type: "function", function: { name: part.name, arguments: part.arguments } });
  }
  const message: Json = { role: "assistant", content: text, refusal: null };
  if (reasoning !== null) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  const out: Json = {
    id: response.id,
    object: "chat.completion",
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishToOpenAI(response.finish) }],
  };
  if (response.usage !== null) out.usage = usageToOpenAI(response.usage);
  return JSON.stringify(out);
}
