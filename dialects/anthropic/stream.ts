/** Anthropic Messages event streams ↔ neutral stream events, one event at a time. */
import type { FinishReason, StreamBlock, StreamEvent } from "../../core/canonical.ts";
import type { StreamDecoder, StreamEncoder } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { type SseEvent, sseEvent, SseStreamDecoder } from "../sse.ts";
import { renderAnthropicError } from "./errors.ts";
import { finishFromAnthropic, finishToAnthropic, messageId } from "./response.ts";
import { mergeUsage, usageFromAnthropic, usageToAnthropic } from "./usage.ts";

function blockOf(block: Json): StreamBlock | null {
  switch (block.type) {
    case "text":
      return { type: "text" };
    case "tool_use":
      return typeof block.id === "string" && typeof block.name === "string" ? { type: "tool_call", id: block.id, name: block.name } : null;
    case "thinking":
      return { type: "thinking" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: typeof block.data === "string" ? block.data : "" };
    default:
      // Server tools' blocks (web search results …) have no neutral form and are skipped.
      return null;
  }
}

/**
 * Anthropic events in, neutral events out. Blocks other formats cannot hold (a server tool's
 * results) are skipped, and the rest renumbered so neutral indexes stay contiguous.
 */
export class AnthropicStreamDecoder extends SseStreamDecoder<StreamEvent> implements StreamDecoder {
  private readonly indexes = new Map<number, number>();
  private next = 0;
  private usage: Record<string, unknown> | null = null;
  private done = false;

  protected event({ data }: SseEvent, out: StreamEvent[]): void {
    if (this.done || data.length === 0) return;
    let event: Json;
    try {
      event = JSON.parse(data) as Json;
    } catch {
      return;
    }
    switch (event.type) {
      case "message_start": {
        const message = isObject(event.message) ? event.message : {};
        this.usage = isObject(message.usage) ? message.usage : null;
        out.push({ type: "start", id: typeof message.id === "string" ? message.id : "", model: typeof message.model === "string" ? message.model : "", usage: usageFromAnthropic(this.usage) });
        break;
      }
      case "content_block_start": {
        const block = isObject(event.content_block) ? blockOf(event.content_block) : null;
        if (block === null || typeof event.index !== "number") break;
        const index = this.next++;
        this.indexes.set(event.index, index);
        out.push({ type: "block_start", index, block });
        const first = event.content_block as Json;
        if (block.type === "text" && typeof first.text === "string" && first.text.length > 0) out.push({ type: "text", index, text: first.text });
        break;
      }
      case "content_block_delta": {
        const index = typeof event.index === "number" ? this.indexes.get(event.index) : undefined;
        const delta = isObject(event.delta) ? event.delta : null;
        if (index === undefined || delta === null) break;
        if (delta.type === "text_delta" && typeof delta.text === "string") out.push({ type: "text", index, text: delta.text });
        else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string") out.push({ type: "tool_args", index, json: delta.partial_json });
        else if (delta.type === "thinking_delta" && typeof delta.thinking === "string") out.push({ type: "thinking", index, text: delta.thinking });
        else if (delta.type === "signature_delta" && typeof delta.signature === "string") out.push({ type: "signature", index, signature: delta.signature });
        break;
      }
      case "content_block_stop": {
        const index = typeof event.index === "number" ? this.indexes.get(event.index) : undefined;
        if (index !== undefined) out.push({ type: "block_stop", index });
        break;
      }
      case "message_delta": {
        const delta = isObject(event.delta) ? event.delta : {};
        if (delta.stop_reason != null) {
          out.push({ type: "finish", reason: finishFromAnthropic(delta.stop_reason), stopSequence: typeof delta.stop_sequence === "string" ? delta.stop_sequence : null });
        }
        if (isObject(event.usage)) {
          this.usage = mergeUsage(this.usage, event.usage);
          const usage = usageFromAnthropic(this.usage);
          if (usage !== null) out.push({ type: "usage", usage });
        }
        break;
      }
      case "message_stop":
        this.done = true;
        out.push({ type: "done" });
        break;
      case "ping":
        out.push({ type: "ping" });
        break;
      case "error": {
        const error = isObject(event.error) ? event.error : {};
        out.push({ type: "error", error: { type: typeof error.type === "string" ? error.type : "api_error", message: typeof error.message === "string" ? error.message : "Upstream error." } });
        break;
      }
    }
  }
}

function startBlock(block: StreamBlock): Json {
  switch (block.type) {
    case "text":
      return { type: "text", text: "" };
    case "tool_call":
      return { type: "tool_use", id: block.id, name: block.name, input: {} };
    case "thinking":
      return { type: "thinking", thinking: "", signature: "" };
    case "redacted_thinking":
      return { type: "redacted_thinking", data: block.data };
  }
}

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/**
 * Neutral events in, Anthropic's exact event sequence out: message_start, one content block at a
 * time (start, deltas, stop), message_delta, message_stop. Sources such as OpenAI report their
 * finish before their usage, and input tokens only at the end, so the finish is held until the
 * stream ends and message_delta carries the final cumulative usage, input tokens included.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private open: number | null = null;
  private readonly indexes = new Map<number, number>();
  private finish: { reason: FinishReason; stopSequence: string | null } | null = null;
  private usage: Usage | null = null;
  private model = "";

  private start(id: string, model: string, usage: Usage | null): string {
    if (this.started) return "";
    this.started = true;
    this.model = model;
    const message = {
      id: messageId(id),
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageToAnthropic(usage ?? ZERO_USAGE),
    };
    return sseEvent(JSON.stringify({ type: "message_start", message }), "message_start");
  }

  private stop(): string {
    if (this.open === null) return "";
    const index = this.open;
    this.open = null;
    return sseEvent(JSON.stringify({ type: "content_block_stop", index }), "content_block_stop");
  }

  private delta(index: number, delta: Json): string {
    const out = this.indexes.get(index);
    if (out === undefined) return "";
    return sseEvent(JSON.stringify({ type: "content_block_delta", index: out, delta }), "content_block_delta");
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case "start":
        if (event.usage !== null) this.usage = event.usage;
        return this.start(event.id, event.model, event.usage);
      case "block_start": {
        const index = this.indexes.size;
        this.indexes.set(event.index, index);
        const before = this.start("", this.model, null) + this.stop();
        this.open = index;
        return before + sseEvent(JSON.stringify({ type: "content_block_start", index, content_block: startBlock(event.block) }), "content_block_start");
      }
      case "text":
        return this.delta(event.index, { type: "text_delta", text: event.text });
      case "tool_args":
        return this.delta(event.index, { type: "input_json_delta", partial_json: event.json });
      case "thinking":
        return this.delta(event.index, { type: "thinking_delta", thinking: event.text });
      case "signature":
        return this.delta(event.index, { type: "signature_delta", signature: event.signature });
      case "block_stop":
        return this.open === this.indexes.get(event.index) ? this.stop() : "";
      case "finish":
        this.finish = { reason: event.reason, stopSequence: event.stopSequence };
        return "";
      case "usage":
        this.usage = event.usage;
        return "";
      case "ping":
        return sseEvent('{"type": "ping"}', "ping");
      case "error":
        return sseEvent(JSON.stringify({ type: "error", error: { type: event.error.type, message: event.error.message } }), "error");
      default:
        return "";
    }
  }

  end(): string {
    const finish = this.finish ?? { reason: "stop" as FinishReason, stopSequence: null };
    const delta = sseEvent(
      JSON.stringify({
        type: "message_delta",
        delta: { stop_reason: finishToAnthropic(finish.reason), stop_sequence: finish.stopSequence },
        usage: usageToAnthropic(this.usage ?? ZERO_USAGE),
      }),
      "message_delta",
    );
    return this.start("", this.model, null) + this.stop() + delta + sseEvent('{"type":"message_stop"}', "message_stop");
  }

  error(error: GatewayError): string {
    return sseEvent(renderAnthropicError(error).body, "error");
  }
}
