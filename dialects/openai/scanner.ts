import type { StreamScanner } from "../../core/dialect.ts";
import type { Usage } from "../../core/types.ts";
import { usageFromOpenAI } from "./usage.ts";

const encoder = new TextEncoder();
const HAS_USAGE = /"usage"\s*:\s*\{/;
/** An OpenAI-format stream reports a failure mid-way as a chunk with a top-level `error`. */
const HAS_ERROR = /^\s*\{\s*"error"\s*:/;

/** The event separator is a blank line; servers may use LF or CRLF line endings. */
function nextBoundary(text: string, from: number): { at: number; length: number } | null {
  const lf = text.indexOf("\n\n", from);
  const crlf = text.indexOf("\r\n\r\n", from);
  if (lf < 0 && crlf < 0) return null;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, length: 4 };
  return { at: lf, length: 2 };
}

function dataOf(event: string): string | null {
  // OpenAI-format streams put the whole JSON on one `data:` line.
  const start = event.indexOf("data:");
  if (start < 0) return null;
  let end = event.indexOf("\n", start);
  if (end < 0) end = event.length;
  return event.slice(start + 5, end).trim();
}

/**
 * Watches an OpenAI-format SSE stream go by and picks up `usage` as it passes. In pass-through
 * mode the bytes out are the bytes in. When the gateway asked the upstream for usage the client
 * did not ask for, it drops the usage-only final chunk so the client sees what it requested.
 */
export class OpenAIStreamScanner implements StreamScanner {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  sawDone = false;
  private readonly decoder = new TextDecoder();
  private pending = "";

  constructor(private readonly stripUsageChunk: boolean) {}

  /** Returns what to send on: the same chunk, a rewritten one, or null for nothing. */
  push(chunk: Uint8Array): Uint8Array | null {
    const text = this.pending + this.decoder.decode(chunk, { stream: true });
    let from = 0;
    // In strip mode only whole events go out, so dropping one never leaves half of it behind.
    let kept = this.stripUsageChunk ? "" : null;
    for (let b = nextBoundary(text, from); b !== null; b = nextBoundary(text, from)) {
      const drop = this.inspect(text.slice(from, b.at));
      if (kept !== null && !drop) kept += text.slice(from, b.at + b.length);
      from = b.at + b.length;
    }
    this.pending = text.slice(from);
    if (kept === null) return chunk;
    return kept.length === 0 ? null : encoder.encode(kept);
  }

  /** Whatever is left at the end of the stream. */
  end(): Uint8Array | null {
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    const drop = rest.trim().length > 0 && this.inspect(rest);
    if (!this.stripUsageChunk || rest.length === 0 || drop) return null;
    return encoder.encode(rest);
  }

  /** Returns true when the event is the usage-only chunk that should be dropped. */
  private inspect(event: string): boolean {
    if (!HAS_USAGE.test(event)) {
      if (event.indexOf("[DONE]") >= 0 && dataOf(event) === "[DONE]") this.sawDone = true;
      else if (event.indexOf('"error"') >= 0) this.noteError(dataOf(event));
      return false;
    }
    const data = dataOf(event);
    if (data === null) return false;
    try {
      const parsed = JSON.parse(data) as { usage?: unknown; choices?: unknown[] };
      const usage = usageFromOpenAI(parsed.usage);
      if (usage !== null) this.usage = usage;
      return this.stripUsageChunk && Array.isArray(parsed.choices) && parsed.choices.length === 0;
    } catch {
      return false;
    }
  }

  private noteError(data: string | null): void {
    if (data === null || !HAS_ERROR.test(data)) return;
    try {
      const error = (JSON.parse(data) as { error?: { type?: unknown; message?: unknown } }).error;
      if (error === null || typeof error !== "object") return;
      this.upstreamError = {
        type: typeof error.type === "string" ? error.type : "api_error",
        message: typeof error.message === "string" ? error.message : "The upstream reported an error mid-stream.",
      };
    } catch {
      // Not JSON: not an error event either.
    }
  }
}
