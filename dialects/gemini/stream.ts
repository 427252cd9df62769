/**
 * Gemini's streamed answers (`streamGenerateContent?alt=sse`) ↔ neutral stream events. Each SSE
 * event is a whole `GenerateContentResponse` chunk: text arrives in pieces, a function call whole
 * in one part, and the last chunk carries the finish reason and the usage. There is no closing
 * event: a stream that reached its finish reason and ended is complete.
 */
import type { FinishReason, StreamEvent } from "../../core/canonical.ts";
import type { StreamDecoder, StreamEncoder } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { type SseEvent, SseStreamDecoder } from "../sse.ts";
import { renderGeminiError } from "./errors.ts";
import { callIdFor, finishFromGemini, finishToGemini } from "./response.ts";
import { usageFromGemini, usageToGemini } from "./usage.ts";

/** What a stream chunk's `error` says, as a neutral error. */
export function streamErrorOf(error: Json): { type: string; message: string } {
  return { type: typeof error.status === "string" ? error.status : "INTERNAL", message: typeof error.message === "string" ? error.message : "Upstream error." };
}

export class GeminiStreamDecoder extends SseStreamDecoder<StreamEvent> implements StreamDecoder {
  private started = false;
  private id = "";
  private open: { index: number; type: "text" | "thinking" } | null = null;
  private next = 0;
  private calledTools = false;
  private finished = false;
  private usage = "";

  private close(out: StreamEvent[]): void {
    if (this.open === null) return;
    out.push({ type: "block_stop", index: this.open.index });
    this.open = null;
  }

  private ensure(type: "text" | "thinking", out: StreamEvent[]): number {
    if (this.open?.type === type) return this.open.index;
    this.close(out);
    const index = this.next++;
    this.open = { index, type };
    out.push({ type: "block_start", index, block: { type } });
    return index;
  }

  private part(part: Json, out: StreamEvent[]): void {
    if (typeof part.text === "string") {
      if (part.thought === true) {
        const index = this.ensure("thinking", out);
        if (part.text.length > 0) out.push({ type: "thinking", index, text: part.text });
        if (typeof part.thoughtSignature === "string") out.push({ type: "signature", index, signature: part.thoughtSignature });
      } else if (part.text.length > 0) {
        out.push({ type: "text", index: this.ensure("text", out), text: part.text });
      }
    } else if (isObject(part.functionCall) && typeof part.functionCall.name === "string") {
      const call = part.functionCall;
      this.close(out);
      const index = this.next++;
      const id = typeof call.id === "string" && call.id.length > 0 ? call.id : callIdFor(this.id, index);
      this.calledTools = true;
      out.push({ type: "block_start", index, block: { type: "tool_call", id, name: call.name as string } });
      out.push({ type: "tool_args", index, json: JSON.stringify(call.args ?? {}) });
      out.push({ type: "block_stop", index });
    }
  }

  protected event({ data }: SseEvent, out: StreamEvent[]): void {
    if (data.length === 0) return;
    let chunk: Json;
    try {
      chunk = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (!isObject(chunk)) return;
    if (isObject(chunk.error)) {
      out.push({ type: "error", error: streamErrorOf(chunk.error) });
      return;
    }
    if (!this.started) {
      this.started = true;
      this.id = typeof chunk.responseId === "string" ? chunk.responseId : "";
      out.push({ type: "start", id: this.id, model: typeof chunk.modelVersion === "string" ? chunk.modelVersion : "", usage: null });
    }
    const candidate = Array.isArray(chunk.candidates) && isObject(chunk.candidates[0]) ? chunk.candidates[0] : null;
    if (candidate !== null && isObject(candidate.content) && Array.isArray(candidate.content.parts)) {
      for (const part of candidate.content.parts) if (isObject(part)) this.part(part, out);
    }
    if (!this.finished) {
      const blocked = candidate === null && isObject(chunk.promptFeedback) && typeof chunk.promptFeedback.blockReason === "string";
      if (blocked || (candidate !== null && typeof candidate.finishReason === "string")) {
        this.close(out);
        this.finished = true;
        out.push({ type: "finish", reason: blocked ? "content_filter" : finishFromGemini(candidate!.finishReason, this.calledTools), stopSequence: null });
      }
    }
    if (isObject(chunk.usageMetadata)) {
      // Each chunk repeats the usage so far; only a change is news.
      const text = JSON.stringify(chunk.usageMetadata);
      const usage = usageFromGemini(chunk.usageMetadata);
      if (text !== this.usage && usage !== null) {
        this.usage = text;
        out.push({ type: "usage", usage });
      }
    }
  }

  protected override finish(out: StreamEvent[]): void {
    this.close(out);
    if (this.finished) out.push({ type: "done" });
  }
}

function data(value: Json): string {
  return `data: ${JSON.stringify(value)}\r\n\r\n`;
}

/**
 * Neutral events in, Gemini chunks out: one chunk per text or thinking piece, one per function
 * call once its arguments are whole, and a last chunk with the finish reason and the usage (which
 * sources such as OpenAI report last, so both are held until the stream ends).
 */
export class GeminiStreamEncoder implements StreamEncoder {
  private id = "";
  private model = "";
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | null = null;

  private chunk(parts: Json[], extra?: Json): string {
    const candidate: Json = { content: { parts, role: "model" }, index: 0 };
    if (extra !== undefined) Object.assign(candidate, extra);
    const out: Json = { candidates: [candidate] };
    if (extra !== undefined && this.usage !== null) out.usageMetadata = usageToGemini(this.usage);
    out.modelVersion = this.model;
    out.responseId = this.id;
    return data(out);
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case "start":
        this.id = event.id;
        this.model = event.model;
        if (event.usage !== null) this.usage = event.usage;
        return "";
      case "block_start":
        if (event.block.type === "tool_call") this.calls.set(event.index, { id: event.block.id, name: event.block.name, args: "" });
        return "";
      case "text":
        return this.chunk([{ text: event.text }]);
      case "thinking":
        return this.chunk([{ text: event.text, thought: true }]);
      case "signature":
        return this.chunk([{ text: "", thought: true, thoughtSignature: event.signature }]);
      case "tool_args": {
        const call = this.calls.get(event.index);
        if (call !== undefined) call.args += event.json;
        return "";
      }
      case "block_stop": {
        const call = this.calls.get(event.index);
        if (call === undefined) return "";
        this.calls.delete(event.index);
        let args: unknown;
        try {
          args = call.args.length === 0 ? {} : JSON.parse(call.args);
        } catch {
          args = { arguments: call.args };
        }
        return this.chunk([{ functionCall: { id: call.id, name: call.name, args } }]);
      }
      case "finish":
        this.finishReason = event.reason;
        return "";
      case "usage":
        this.usage = event.usage;
        return "";
      case "error":
        return data({ error: { code: 500, message: event.error.message, status: event.error.type } });
      default:
        return "";
    }
  }

  end(): string {
    return this.chunk([], { finishReason: finishToGemini(this.finishReason ?? "stop") });
  }

  error(error: GatewayError): string {
    return `data: ${renderGeminiError(error).body}\r\n\r\n`;
  }
}
