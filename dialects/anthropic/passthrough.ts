/**
 * Anthropic bodies that pass through untouched (an Anthropic client in front of an Anthropic-format
 * provider): the model spliced into the client's exact text, usage read without re-serialising.
 */
import type { RequestBody } from "../../core/context.ts";
import type { EncodeOptions, StreamScanner } from "../../core/dialect.ts";
import { topLevelMember, withTopLevel } from "../../core/json-text.ts";
import type { Usage } from "../../core/types.ts";
import { type Json, isObject } from "../json.ts";
import { type SseEvent, SseReader } from "../sse.ts";
import { eventJson, streamErrorOf } from "./stream-decoder.ts";
import { mergeAnthropicUsage, usageFromAnthropic } from "./usage.ts";

/**
 * The body for a same-format upstream: the client's text with only the model changed, so key
 * order, unknown fields, number spellings and every `cache_control` arrive as the client wrote
 * them. Anthropic always reports stream usage, so nothing else is ever added.
 */
export function anthropicPassthroughBody(text: string, body: RequestBody, options: EncodeOptions): string {
  return body.model === options.model ? text : withTopLevel(text, "model", JSON.stringify(options.model));
}

/**
 * Usage from a whole `message` body: the top-level `usage` member is found by scanning the text
 * (strings skipped properly, so a `"usage"` inside the answer's text cannot fool it) and only that
 * member is parsed.
 */
export function anthropicUsageOf(text: string): Usage | null {
  const member = topLevelMember(text, "usage");
  if (member === null) return null;
  try {
    return usageFromAnthropic(JSON.parse(text.slice(member.valueStart, member.valueEnd)));
  } catch {
    return null;
  }
}

/** Which events can carry usage or an error; the rest (every text and tool delta) are not parsed. */
function worthReading(event: SseEvent): boolean {
  const name = event.event;
  if (name === "message_start" || name === "message_delta" || name === "error") return true;
  // Servers that leave out `event:` lines still say the type in the data.
  return name.length === 0 && (event.data.indexOf('"message_') >= 0 || event.data.indexOf('"error"') >= 0);
}

/**
 * Watches a pass-through Anthropic stream: the bytes go on unchanged, and usage (from
 * `message_start`, then each cumulative `message_delta`) and `error` events are picked out.
 */
export class AnthropicStreamScanner implements StreamScanner {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  private readonly reader = new SseReader();
  private readonly raw: Json = {};

  push(chunk: Uint8Array): Uint8Array | null {
    this.inspect(this.reader.push(chunk));
    return chunk;
  }

  end(): Uint8Array | null {
    this.inspect(this.reader.end());
    return null;
  }

  private inspect(events: readonly SseEvent[]): void {
    for (const event of events) {
      if (!worthReading(event)) continue;
      const data = eventJson(event);
      if (data === null) continue;
      if (data.type === "message_start" && isObject(data.message) && isObject(data.message.usage)) {
        mergeAnthropicUsage(this.raw, data.message.usage);
        this.usage = usageFromAnthropic(this.raw);
      } else if (data.type === "message_delta" && isObject(data.usage)) {
        mergeAnthropicUsage(this.raw, data.usage);
        this.usage = usageFromAnthropic(this.raw);
      } else if (data.type === "error") this.upstreamError = streamErrorOf(data);
    }
  }
}
