/** OpenAI `chat.completion.chunk` streams ↔ neutral stream events, one event at a time. */
import type { StreamBlock, StreamEvent } from "../../core/canonical.ts";
import type { StreamDecoder, StreamEncoder } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { RequestBody } from "../../core/context.ts";
import type { Usage } from "../../core/types.ts";
import { type SseEvent, SseStreamDecoder } from "../sse.ts";
import { renderOpenAIError } from "./errors.ts";
import { finishFromOpenAI, finishToOpenAI, usageToOpenAI } from "./response.ts";
import { usageFromOpenAI } from "./usage.ts";
import { type Json, isObject } from "../json.ts";

const TEXT: StreamBlock = { type: "text" };
const THINKING: StreamBlock = { type: "thinking" };

/**
 * Neutral blocks from OpenAI deltas. OpenAI streams have no blocks: text, reasoning and each tool
 * call (by its `index`) become one block each, opened at their first delta and closed when another
 * kind of delta or the finish arrives.
 */
export class OpenAIStreamDecoder extends SseStreamDecoder<StreamEvent> implements StreamDecoder {
  private started = false;
  private finished = false;
  private done = false;
  private next = 0;
  /** The open block: its neutral index and what it holds (`text`, `thinking`, or `tool:<i>`). */
  private open: { index: number; key: string } | null = null;
  /** Neutral block index of each tool call index seen. */
  private readonly tools = new Map<number, number>();

  protected override finish(out: StreamEvent[]): void {
    // Some compatible servers end without [DONE]; a stream that reached its finish is complete.
    if (!this.done && this.finished) {
      this.close(out);
      out.push({ type: "done" });
      this.done = true;
    }
  }

  private close(out: StreamEvent[]): void {
    if (this.open !== null) out.push({ type: "block_stop", index: this.open.index });
    this.open = null;
  }

  /** The open block for `key`, opening it (and closing the one before) when it is not open. */
  private block(key: string, out: StreamEvent[], block: StreamBlock): number {
    if (this.open !== null && this.open.key === key) return this.open.index;
    this.close(out);
    const index = this.next++;
    this.open = { index, key };
    out.push({ type: "block_start", index, block });
    return index;
  }

  protected event({ data }: SseEvent, out: StreamEvent[]): void {
    if (this.done) return;
    if (data === "[DONE]") {
      this.close(out);
      out.push({ type: "done" });
      this.done = true;
      return;
    }
    let chunk: Json;
    try {
      chunk = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (isObject(chunk.error)) {
      const e = chunk.error;
      out.push({ type: "error", error: { type: typeof e.type === "string" ? e.type : "api_error", message: typeof e.message === "string" ? e.message : "Upstream error." } });
      return;
    }
    if (!this.started) {
      this.started = true;
      out.push({ type: "start", id: typeof chunk.id === "string" ? chunk.id : "", model: typeof chunk.model === "string" ? chunk.model : "", usage: null });
    }
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null;
    if (choice !== null) {
      const delta = isObject(choice.delta) ? choice.delta : {};
      const reasoning = typeof delta.reasoning_content === "string" ? delta.reasoning_content : typeof delta.reasoning === "string" ? delta.reasoning : "";
      if (reasoning.length > 0) {
        const index = this.block("thinking", out, THINKING);
        out.push({ type: "thinking", index, text: reasoning });
      }
      const text = typeof delta.content === "string" ? delta.content : typeof delta.refusal === "string" ? delta.refusal : "";
      if (text.length > 0) {
        const index = this.block("text", out, TEXT);
        out.push({ type: "text", index, text });
      }
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isObject(call)) this.toolDelta(call, out);
      if (choice.finish_reason != null) {
        this.close(out);
        this.finished = true;
        out.push({ type: "finish", reason: finishFromOpenAI(choice.finish_reason), stopSequence: null });
      }
    }
    const usage = usageFromOpenAI(chunk.usage);
    if (usage !== null) out.push({ type: "usage", usage });
  }

  private toolDelta(call: Json, out: StreamEvent[]): void {
    const toolIndex = typeof call.index === "number" ? call.index : 0;
    const fn = isObject(call.function) ? call.function : {};
    let index = this.tools.get(toolIndex);
    if (index === undefined) {
      const id = typeof call.id === "string" ? call.id : `call_${toolIndex}`;
      const name = typeof fn.name === "string" ? fn.name : "";
      index = this.block(`tool:${toolIndex}`, out, { type: "tool_call", id, name });
      this.tools.set(toolIndex, index);
    } else if (this.open === null || this.open.index !== index) {
      // Interleaved arguments of parallel calls: each piece still goes to its own block.
      this.close(out);
    }
    if (typeof fn.arguments === "string" && fn.arguments.length > 0) out.push({ type: "tool_args", index, json: fn.arguments });
  }
}

/**
 * Neutral events as OpenAI chunks. With `stream_options.include_usage`, every chunk carries
 * `usage: null` and a last chunk with no choices carries the usage, as OpenAI streams do.
 */
export class OpenAIStreamEncoder implements StreamEncoder {
  private id = "";
  private model = "";
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: Usage | null = null;
  private readonly includeUsage: boolean;
  /** OpenAI tool call index of each neutral tool block. */
  private readonly tools = new Map<number, number>();
  private started = false;

  constructor(body: RequestBody) {
    const options = body.stream_options;
    this.includeUsage = isObject(options) && options.include_usage === true;
  }

  private chunk(delta: Json, finish: string | null = null): string {
    const chunk: Json = {
      id: this.id,
      object: "chat.completion.chunk",
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (this.includeUsage) chunk.usage = null;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  /** The role chunk OpenAI opens every stream with, whatever came first. */
  private opening(): string {
    if (this.started) return "";
    this.started = true;
    return this.chunk({ role: "assistant", content: "", refusal: null });
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case "start":
        this.id = event.id;
        this.model = event.model;
        if (event.usage !== null) this.usage = event.usage;
        return this.opening();
      case "block_start": {
        if (event.block.type !== "tool_call") return this.opening();
        const index = this.tools.size;
        this.tools.set(event.index, index);
        return this.opening() + this.chunk({ tool_calls: [{ index, id: event.block.id, type: "function", function: { name: event.block.name, arguments: "" } }] });
      }
      case "text":
        return this.opening() + this.chunk({ content: event.text });
      case "thinking":
        // Not part of OpenAI's format; the field DeepSeek, vLLM and others use for reasoning text.
        return this.opening() + this.chunk({ reasoning_content: event.text });
      case "tool_args": {
        const index = this.tools.get(event.index);
        return index === undefined ? "" : this.chunk({ tool_calls: [{ index, function: { arguments: event.json } }] });
      }
      case "finish":
        return this.opening() + this.chunk({}, finishToOpenAI(event.reason));
      case "usage":
        this.usage = event.usage;
        return "";
      case "error":
        return `data: ${JSON.stringify({ error: { message: event.error.message, type: event.error.type, code: null, param: null } })}\n\n`;
      case "ping":
        // A comment: keeps proxies from closing a quiet stream, and every SSE client skips it.
        return ": ping\n\n";
      default:
        return "";
    }
  }

  end(): string {
    let tail = "";
    if (this.includeUsage && this.usage !== null) {
      tail = `data: ${JSON.stringify({ id: this.id, object: "chat.completion.chunk", created: this.created, model: this.model, choices: [], usage: usageToOpenAI(this.usage) })}\n\n`;
    }
    return `${tail}data: [DONE]\n\n`;
  }

  error(error: GatewayError): string {
    // The OpenAI SDKs raise an APIError for a chunk that carries `error`.
    return `data: ${renderOpenAIError(error).body}\n\n`;
  }
}
