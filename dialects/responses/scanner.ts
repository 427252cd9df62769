import type { StreamScanner } from "../../core/dialect.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { SseReader } from "../sse.ts";
import { usageFromResponses } from "./usage.ts";

/** The events that carry usage or a failure; only these are parsed. */
const WATCHED = new Set(["response.completed", "response.incomplete", "response.failed", "error"]);

/**
 * Watches a pass-through Responses stream: the bytes go on untouched, while the terminal event's
 * usage and any failure are read on the way.
 */
export class ResponsesStreamScanner implements StreamScanner {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  private readonly reader = new SseReader();

  push(chunk: Uint8Array): Uint8Array | null {
    for (const event of this.reader.push(chunk)) this.inspect(event.event, event.data);
    return chunk;
  }

  end(): Uint8Array | null {
    for (const event of this.reader.end()) this.inspect(event.event, event.data);
    return null;
  }

  private inspect(name: string, data: string): void {
    // Servers name each event; one that does not is told by the `type` inside, so it is parsed.
    if (name.length > 0 && !WATCHED.has(name)) return;
    let event: Json;
    try {
      event = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (typeof event.type !== "string" || !WATCHED.has(event.type)) return;
    const response = isObject(event.response) ? event.response : null;
    if (event.type === "error" || event.type === "response.failed") {
      const e = event.type === "error" ? (isObject(event.error) ? event.error : event) : isObject(response?.error) ? response.error : {};
      this.upstreamError = {
        type: typeof e.code === "string" ? e.code : "api_error",
        message: typeof e.message === "string" ? e.message : event.type === "error" ? "Upstream error." : "The response failed.",
      };
      return;
    }
    const usage = usageFromResponses(response?.usage);
    if (usage !== null) this.usage = usage;
  }
}
