/** Anthropic `message` answers ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import { isObject, type Json } from "../json.ts";
import { usageFromAnthropic, usageToAnthropic } from "./usage.ts";

type Content = CanonicalResponse["content"][number];

export function finishFromAnthropic(reason: unknown): FinishReason {
  switch (reason) {
    case "end_turn":
      return "stop";
    case "stop_sequence":
      return "stop_sequence";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "pause_turn":
      return "pause";
    case "refusal":
      return "content_filter";
    case "model_context_window_exceeded":
      return "context_window";
    default:
      return "other";
  }
}

export function finishToAnthropic(reason: FinishReason): string {
  switch (reason) {
    case "stop_sequence":
      return "stop_sequence";
    case "length":
      return "max_tokens";
    case "tool_calls":
      return "tool_use";
    case "pause":
      return "pause_turn";
    case "content_filter":
      return "refusal";
    case "context_window":
      return "model_context_window_exceeded";
    default:
      return "end_turn";
  }
}

/** Anthropic message ids start with `msg_`; an id from elsewhere gets the prefix so clients that check it are content. */
export function messageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id.length > 0 ? id : crypto.randomUUID().replaceAll("-", "")}`;
}

export function parseAnthropicResponse(text: string): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  const content: Content[] = [];
  for (const block of Array.isArray(body.content) ? body.content : []) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") content.push({ type: "text", text: block.text });
    else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string") {
      content.push({ type: "tool_call", id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
    } else if (block.type === "thinking") {
      content.push({ type: "thinking", text: typeof block.thinking === "string" ? block.thinking : "", signature: typeof block.signature === "string" ? block.signature : null });
    } else if (block.type === "redacted_thinking" && typeof block.data === "string") content.push({ type: "redacted_thinking", data: block.data });
  }
  return {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    created: Math.floor(Date.now() / 1000),
    content,
    finish: finishFromAnthropic(body.stop_reason),
    stopSequence: typeof body.stop_sequence === "string" ? body.stop_sequence : null,
    usage: usageFromAnthropic(body.usage),
  };
}

/** Neutral content as Anthropic response blocks. */
export function anthropicContent(content: CanonicalResponse["content"]): Json[] {
  return content.map((part) => {
    switch (part.type) {
      case "text":
        return { type: "text", text: part.text };
      case "tool_call": {
        let input: unknown = {};
        try {
          input = JSON.parse(part.arguments);
        } catch {
          // A model that produced broken arguments: the client gets them as a string it can see.
          input = { arguments: part.arguments };
        }
        return { type: "tool_use", id: part.id, name: part.name, input };
      }
      case "thinking":
        return { type: "thinking", thinking: part.text, signature: part.signature ?? "" };
      case "redacted_thinking":
        return { type: "redacted_thinking", data: part.data };
    }
  });
}

export function encodeAnthropicResponse(response: CanonicalResponse): string {
  const usage = response.usage === null
    ? { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }
    : usageToAnthropic(response.usage);
  return JSON.stringify({
    id: messageId(response.id),
    type: "message",
    role: "assistant",
    model: response.model,
    content: anthropicContent(response.content),
    stop_reason: finishToAnthropic(response.finish),
    stop_sequence: response.stopSequence,
    usage,
  });
}
