/** Anthropic `message` answers ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import { GatewayError } from "../../core/errors.ts";
import { type Json, isObject } from "../json.ts";
import { inputOf } from "./blocks.ts";
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

/**
 * One content block in neutral form, or null for blocks no other format has (server tool calls
 * and their results, which only appear when the request used Anthropic's server tools).
 */
export function contentFromAnthropic(block: unknown): Content | null {
  if (!isObject(block)) return null;
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? { type: "text", text: block.text } : null;
    case "tool_use":
      return {
        type: "tool_call",
        id: typeof block.id === "string" ? block.id : "",
        name: typeof block.name === "string" ? block.name : "",
        arguments: JSON.stringify(block.input ?? {}),
      };
    case "thinking":
      return { type: "thinking", text: typeof block.thinking === "string" ? block.thinking : "", signature: typeof block.signature === "string" ? block.signature : null };
    case "redacted_thinking":
      return typeof block.data === "string" ? { type: "redacted_thinking", data: block.data } : null;
    default:
      return null;
  }
}

/** An Anthropic-format answer in neutral form. Anthropic gives no creation time: it is the time of reading. */
export function parseAnthropicResponse(text: string): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  if (!isObject(body) || !Array.isArray(body.content)) throw new TypeError("not an Anthropic message");
  const content: Content[] = [];
  for (const block of body.content) {
    const part = contentFromAnthropic(block);
    if (part !== null) content.push(part);
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

/**
 * A tool call's arguments as Anthropic's `input` object. A model behind another format can emit
 * arguments that are not JSON; an Anthropic client cannot take those, and guessing would run the
 * tool with the wrong input, so the answer fails as the provider's fault (retryable).
 */
function toolInput(id: string, args: string): Json {
  const input = inputOf(args);
  if (input !== null) return input;
  throw new GatewayError({
    status: 502,
    message: `The model called tool '${id}' with arguments that are not a JSON object, which an Anthropic client cannot take.`,
    code: "upstream_invalid_response",
    fault: "provider",
    retryable: true,
  });
}

/** A content part as an Anthropic block. */
export function blockToAnthropic(part: Content): Json {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "tool_call":
      return { type: "tool_use", id: part.id, name: part.name, input: toolInput(part.id, part.arguments) };
    case "thinking":
      // Reasoning text from another model carries no signature; the field is required, so it is empty.
      return { type: "thinking", thinking: part.text, signature: part.signature ?? "" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: part.data };
  }
}

const NO_USAGE = { inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** A neutral answer as an Anthropic `message`. */
export function encodeAnthropicResponse(response: CanonicalResponse): string {
  return JSON.stringify({
    id: response.id,
    type: "message",
    role: "assistant",
    model: response.model,
    content: response.content.map(blockToAnthropic),
    stop_reason: finishToAnthropic(response.finish),
    stop_sequence: response.stopSequence,
    usage: usageToAnthropic(response.usage ?? NO_USAGE),
  });
}
