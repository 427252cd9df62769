/** Neutral stream events → Anthropic's exact event sequence. */
import type { FinishReason, StreamEvent } from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { StreamEncoder } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import type { Json } from "../json.ts";
import { sseEvent } from "../sse.ts";
import { anthropicErrorJson } from "./errors.ts";
import { finishToAnthropic } from "./response.ts";
import { usageToAnthropic } from "./usage.ts";

function event(name: string, data: Json): string {
  return sseEvent(JSON.stringify(data), name);
}

/**
 * Writes `message_start`, then `content_block_start` / `content_block_delta` / `content_block_stop`
 * per block (numbered from 0 in the order they open, as Anthropic clients index their content by
 * it), then `message_delta` and `message_stop`.
 *
 * The finish is held back: a source such as OpenAI reports its finish reason before its usage,
 * while Anthropic's `message_delta` carries both. It goes out when usage arrives after it, or at
 * the end of the stream with whatever usage is known. `message_start` carries the usage known when
 * the stream starts (often none: input tokens then read 0), and `message_delta` the final,
 * cumulative counts, input tokens included, which Anthropic's SDKs take over.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private readonly fallbackModel: string;
  private started = false;
  private stopped = false;
  private usage: Usage | null = null;
  private finish: { reason: FinishReason; stopSequence: string | null } | null = null;
  private deltaSent = false;
  private next = 0;
  /** Anthropic index of each neutral block. */
  private readonly indices = new Map<number, number>();
  /** Anthropic indices of the blocks open now. */
  private readonly open = new Set<number>();

  constructor(body: RequestBody) {
    this.fallbackModel = typeof body.model === "string" ? body.model : "";
  }

  encode(e: StreamEvent): string {
    switch (e.type) {
      case "start":
        if (e.usage !== null) this.usage = e.usage;
        return this.opening(e.id, e.model);
      case "block_start":
        return this.opening() + this.blockStart(e);
      case "text":
        return this.delta(e.index, { type: "text_delta", text: e.text });
      case "tool_args":
        return this.delta(e.index, { type: "input_json_delta", partial_json: e.json });
      case "thinking":
        return this.delta(e.index, { type: "thinking_delta", thinking: e.text });
      case "signature":
        return this.delta(e.index, { type: "signature_delta", signature: e.signature });
      case "block_stop": {
        const index = this.indices.get(e.index);
        if (index === undefined || !this.open.delete(index)) return "";
        return event("content_block_stop", { type: "content_block_stop", index });
      }
      case "finish":
        this.finish = { reason: e.reason, stopSequence: e.stopSequence };
        return this.opening() + this.closeBlocks();
      case "usage":
        this.usage = e.usage;
        return this.finish !== null && !this.deltaSent ? this.messageDelta() : "";
      case "error":
        return event("error", { type: "error", error: { type: e.error.type, message: e.error.message } });
      case "ping":
        return this.opening() + event("ping", { type: "ping" });
      case "done":
        return this.close();
    }
  }

  end(): string {
    return this.close();
  }

  error(error: GatewayError): string {
    return sseEvent(anthropicErrorJson(error), "error");
  }

  /** `message_start`, once, before anything else (made up from the request if the source sent no start). */
  private opening(id = "", model = ""): string {
    if (this.started) return "";
    this.started = true;
    const usage = this.usage === null ? { input_tokens: 0, output_tokens: 0 } : usageToAnthropic(this.usage);
    return event("message_start", {
      type: "message_start",
      message: {
        id: id.length > 0 ? id : "msg_switchyard",
        type: "message",
        role: "assistant",
        model: model.length > 0 ? model : this.fallbackModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    });
  }

  private blockStart(e: StreamEvent & { type: "block_start" }): string {
    const index = this.next++;
    this.indices.set(e.index, index);
    this.open.add(index);
    const block = e.block;
    const content = block.type === "text"
      ? { type: "text", text: "" }
      : block.type === "tool_call"
      ? { type: "tool_use", id: block.id, name: block.name, input: {} }
      : block.type === "thinking"
      ? { type: "thinking", thinking: "", signature: "" }
      : { type: "redacted_thinking", data: block.data };
    return event("content_block_start", { type: "content_block_start", index, content_block: content });
  }

  private delta(neutral: number, delta: Json): string {
    const index = this.indices.get(neutral);
    return index === undefined ? "" : event("content_block_delta", { type: "content_block_delta", index, delta });
  }

  private closeBlocks(): string {
    let out = "";
    for (const index of this.open) out += event("content_block_stop", { type: "content_block_stop", index });
    this.open.clear();
    return out;
  }

  private messageDelta(): string {
    this.deltaSent = true;
    const finish = this.finish;
    return event("message_delta", {
      type: "message_delta",
      delta: { stop_reason: finishToAnthropic(finish?.reason ?? "stop"), stop_sequence: finish?.stopSequence ?? null },
      usage: this.usage === null ? { output_tokens: 0 } : usageToAnthropic(this.usage),
    });
  }

  private close(): string {
    if (this.stopped) return "";
    this.stopped = true;
    const delta = this.deltaSent ? "" : this.messageDelta();
    return this.opening() + this.closeBlocks() + delta + event("message_stop", { type: "message_stop" });
  }
}
