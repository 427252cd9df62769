/** Converse answers ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import { isObject, type Json } from "../json.ts";
import { usageFromBedrock, usageToBedrock } from "./usage.ts";

const FINISH: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop_sequence",
  max_tokens: "length",
  tool_use: "tool_calls",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
  model_context_window_exceeded: "context_window",
};

export function finishFromBedrock(reason: unknown): FinishReason {
  return typeof reason === "string" ? (FINISH[reason] ?? "other") : "other";
}

const TO_BEDROCK: Readonly<Record<FinishReason, string>> = {
  stop: "end_turn",
  stop_sequence: "stop_sequence",
  length: "max_tokens",
  tool_calls: "tool_use",
  content_filter: "content_filtered",
  context_window: "model_context_window_exceeded",
  pause: "end_turn",
  other: "end_turn",
};

export function finishToBedrock(reason: FinishReason): string {
  return TO_BEDROCK[reason];
}

/** Bedrock's answers carry no id; the gateway gives each one, in Anthropic's style. */
export function bedrockMessageId(): string {
  return `msg_bdrk_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

/** A Converse answer in neutral form. Converse does not name the model in it: `model` is the target's. */
export function parseBedrockResponse(text: string, model = ""): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  const output = isObject(body.output) ? body.output : {};
  const message = isObject(output.message) ? output.message : {};
  const content: CanonicalResponse["content"][number][] = [];
  for (const block of Array.isArray(message.content) ? message.content : []) {
    if (!isObject(block)) continue;
    if (typeof block.text === "string") content.push({ type: "text", text: block.text });
    else if (isObject(block.toolUse)) {
      const use = block.toolUse;
      content.push({ type: "tool_call", id: String(use.toolUseId ?? ""), name: String(use.name ?? ""), arguments: JSON.stringify(use.input ?? {}) });
    } else if (isObject(block.reasoningContent)) {
      const reasoning = block.reasoningContent;
      if (isObject(reasoning.reasoningText) && typeof reasoning.reasoningText.text === "string") {
        content.push({ type: "thinking", text: reasoning.reasoningText.text, signature: typeof reasoning.reasoningText.signature === "string" ? reasoning.reasoningText.signature : null });
      } else if (typeof reasoning.redactedContent === "string") content.push({ type: "redacted_thinking", data: reasoning.redactedContent });
    }
  }
  if (!Array.isArray(message.content)) throw new TypeError("a Converse answer has output.message.content");
  return {
    id: bedrockMessageId(),
    model,
    created: Math.floor(Date.now() / 1000),
    content,
    finish: finishFromBedrock(body.stopReason),
    stopSequence: null,
    usage: usageFromBedrock(body.usage),
  };
}

/** Neutral content as Converse blocks. */
export function bedrockContent(content: CanonicalResponse["content"]): Json[] {
  return content.map((part) => {
    switch (part.type) {
      case "text":
        return { text: part.text };
      case "tool_call":
        return { toolUse: { toolUseId: part.id, name: part.name, input: JSON.parse(part.arguments.length > 0 ? part.arguments : "{}") as unknown } };
      case "thinking":
        return { reasoningContent: { reasoningText: part.signature === null ? { text: part.text } : { text: part.text, signature: part.signature } } };
      case "redacted_thinking":
        return { reasoningContent: { redactedContent: part.data } };
    }
  });
}

/** A neutral answer as a Converse response body. */
export function encodeBedrockResponse(response: CanonicalResponse): string {
  const body: Json = { output: { message: { role: "assistant", content: bedrockContent(response.content) } }, stopReason: finishToBedrock(response.finish) };
  if (response.usage !== null) body.usage = usageToBedrock(response.usage);
  body.metrics = { latencyMs: 0 };
  return JSON.stringify(body);
}
