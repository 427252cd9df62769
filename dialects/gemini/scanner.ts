import { topLevelMember } from "../../core/json-text.ts";
import type { StreamScanner } from "../../core/dialect.ts";
import type { Usage } from "../../core/types.ts";
import { isObject } from "../json.ts";
import { SseReader } from "../sse.ts";
import { streamErrorOf } from "./stream.ts";
import { geminiUsageOf } from "./usage.ts";

/**
 * Watches a pass-through Gemini stream: the bytes go on untouched, while each chunk's usage (the
 * latest is the total) and any error chunk are read on the way, by scanning for the one member
 * rather than parsing the chunk.
 */
export class GeminiStreamScanner implements StreamScanner {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  private readonly reader = new SseReader();

  push(chunk: Uint8Array): Uint8Array | null {
    for (const event of this.reader.push(chunk)) this.inspect(event.data);
    return chunk;
  }

  end(): Uint8Array | null {
    for (const event of this.reader.end()) this.inspect(event.data);
    return null;
  }

  private inspect(data: string): void {
    if (data.includes('"usageMetadata"')) {
      const usage = geminiUsageOf(data);
      if (usage !== null) this.usage = usage;
    }
    if (!data.includes('"error"')) return;
    const member = topLevelMember(data, "error");
    if (member === null) return;
    try {
      const error = JSON.parse(data.slice(member.valueStart, member.valueEnd)) as unknown;
      if (isObject(error)) this.upstreamError = streamErrorOf(error);
    } catch {
      // Not an error chunk after all.
    }
  }
}
