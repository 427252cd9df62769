import type { StreamScanner } from "../../core/dialect.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { SseReader } from "../sse.ts";
import { mergeUsage, usageFromAnthropic } from "./usage.ts";

/**
 * Watches a pass-through Anthropic stream: the bytes go on untouched, while usage (from
 * message_start, completed by message_delta) and error events are read on the way. Only those
 * events are parsed.
 */
export class AnthropicStreamScanner implements StreamScanner {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  private readonly reader = new SseReader();
  private raw: Record<string, unknown> | null = null;

  push(chunk: Uint8Array): Uint8Array | null {
    for (const event of this.reader.push(chunk)) this.inspect(event.event, event.data);
    return chunk;
  }

  end(): Uint8Array | null {
    for (const event of this.reader.end()) this.inspect(event.event, event.data);
    return null;
  }

  private inspect(name: string, data: string): void {
    if (name !== "message_start" && name !== "message_delta" && name !== "error") return;
    let event: Json;
    try {
      event = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (name === "error") {
      const error = isObject(event.error) ? event.error : {};
      this.upstreamError = { type: typeof error.type === "string" ? error.type : "api_error", message: typeof error.message === "string" ? error.message : "Upstream error." };
      return;
    }
    const usage = name === "message_start" ? (isObject(event.message) ? event.message.usage : null) : event.usage;
    if (!isObject(usage)) return;
    this.raw = name === "message_start" ? usage : mergeUsage(this.raw, usage);
    this.usage = usageFromAnthropic(this.raw);
  }
}
