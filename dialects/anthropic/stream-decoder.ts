/** Anthropic Messages event streams → neutral stream events, one event at a time. */
import type { StreamEvent } from "../../core/canonical.ts";
import type { StreamDecoder } from "../../core/dialect.ts";
import { type Json, isObject } from "../json.ts";
import { type SseEvent, SseReader } from "../sse.ts";
import { finishFromAnthropic } from "./response.ts";
import { mergeAnthropicUsage, usageFromAnthropic } from "./usage.ts";

/** An upstream `error` event's object in neutral terms. */
export function streamErrorOf(data: unknown): { type: string; message: string } {
  const error = isObject(data) && isObject(data.error) ? data.error : {};
  return {
    type: typeof error.type === "string" ? error.type : "api_error",
    message: typeof error.message === "string" ? error.message : "The upstream reported an error mid-stream.",
  };
}

/** The JSON of an event, or null when it has none or it does not parse (such events are skipped). */
export function eventJson(event: SseEvent): Json | null {
  if (event.data.length === 0) return null;
  try {
    const value: unknown = JSON.parse(event.data);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Decodes `message_start`, `content_block_*`, `message_delta`, `message_stop`, `ping` and `error`
 * events as they complete. Blocks keep their order; blocks with no neutral form (server tool
 * calls and results) are skipped with their deltas, and the rest are numbered from 0. `done`
 * comes only with `message_stop`: a stream cut before it never looks finished.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly reader = new SseReader();
  /** The upstream's cumulative usage, as Anthropic spells it. */
  private readonly usage: Json = {};
  /** Neutral index of each Anthropic block index that has a neutral form. */
  private readonly blocks = new Map<number, number>();
  private next = 0;
  private done = false;

  push(chunk: Uint8Array): StreamEvent[] {
    return this.decode(this.reader.push(chunk));
  }

  end(): StreamEvent[] {
    return this.decode(this.reader.end());
  }

  private decode(events: readonly SseEvent[]): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const event of events) {
      if (this.done) break;
      const data = eventJson(event);
      if (data !== null) this.event(data, out);
    }
    return out;
  }

  private event(data: Json, out: StreamEvent[]): void {
    switch (data.type) {
      case "message_start": {
        const message = isObject(data.message) ? data.message : {};
        mergeAnthropicUsage(this.usage, message.usage);
        out.push({
          type: "start",
          id: typeof message.id === "string" ? message.id : "",
          model: typeof message.model === "string" ? message.model : "",
          usage: isObject(message.usage) ? usageFromAnthropic(this.usage) : null,
        });
        return;
      }
      case "content_block_start":
        this.blockStart(data, out);
        return;
      case "content_block_delta":
        this.delta(data, out);
        return;
      case "content_block_stop": {
        const index = this.blocks.get(data.index as number);
        if (index !== undefined) out.push({ type: "block_stop", index });
        return;
      }
      case "message_delta": {
        const delta = isObject(data.delta) ? data.delta : {};
        if (delta.stop_reason != null) {
          out.push({ type: "finish", reason: finishFromAnthropic(delta.stop_reason), stopSequence: typeof delta.stop_sequence === "string" ? delta.stop_sequence : null });
        }
        if (isObject(data.usage)) {
          mergeAnthropicUsage(this.usage, data.usage);
          out.push({ type: "usage", usage: usageFromAnthropic(this.usage)! });
        }
        return;
      }
      case "message_stop":
        this.done = true;
        out.push({ type: "done" });
        return;
      case "ping":
        out.push({ type: "ping" });
        return;
      case "error":
        out.push({ type: "error", error: streamErrorOf(data) });
        return;
    }
  }

  private blockStart(data: Json, out: StreamEvent[]): void {
    const block = isObject(data.content_block) ? data.content_block : {};
    const open = (event: StreamEvent & { type: "block_start" }): number => {
      this.blocks.set(data.index as number, event.index);
      out.push(event);
      return event.index;
    };
    switch (block.type) {
      case "text": {
        const index = open({ type: "block_start", index: this.next++, block: { type: "text" } });
        // A block may open with text already in it; the documented streams open empty.
        if (typeof block.text === "string" && block.text.length > 0) out.push({ type: "text", index, text: block.text });
        return;
      }
      case "tool_use": {
        const index = open({
          type: "block_start",
          index: this.next++,
          block: { type: "tool_call", id: typeof block.id === "string" ? block.id : "", name: typeof block.name === "string" ? block.name : "" },
        });
        if (isObject(block.input) && Object.keys(block.input).length > 0) out.push({ type: "tool_args", index, json: JSON.stringify(block.input) });
        return;
      }
      case "thinking": {
        const index = open({ type: "block_start", index: this.next++, block: { type: "thinking" } });
        if (typeof block.thinking === "string" && block.thinking.length > 0) out.push({ type: "thinking", index, text: block.thinking });
        if (typeof block.signature === "string" && block.signature.length > 0) out.push({ type: "signature", index, signature: block.signature });
        return;
      }
      case "redacted_thinking":
        open({ type: "block_start", index: this.next++, block: { type: "redacted_thinking", data: typeof block.data === "string" ? block.data : "" } });
        return;
    }
  }

  private delta(data: Json, out: StreamEvent[]): void {
    const index = this.blocks.get(data.index as number);
    const delta = data.delta;
    if (index === undefined || !isObject(delta)) return;
    switch (delta.type) {
      case "text_delta":
        if (typeof delta.text === "string" && delta.text.length > 0) out.push({ type: "text", index, text: delta.text });
        return;
      case "input_json_delta":
        if (typeof delta.partial_json === "string" && delta.partial_json.length > 0) out.push({ type: "tool_args", index, json: delta.partial_json });
        return;
      case "thinking_delta":
        if (typeof delta.thinking === "string" && delta.thinking.length > 0) out.push({ type: "thinking", index, text: delta.thinking });
        return;
      case "signature_delta":
        if (typeof delta.signature === "string") out.push({ type: "signature", index, signature: delta.signature });
        return;
    }
  }
}
