/** OpenAI Responses API event streams (`response.*` typed events) ↔ neutral stream events. */
import type { FinishReason, StreamBlock, StreamEvent } from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { StreamDecoder, StreamEncoder } from "../../core/dialect.ts";
import type { GatewayError } from "../../core/errors.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { type SseEvent, SseStreamDecoder, sseEvent } from "../sse.ts";
import { finishFromResponses, itemId, responseObject, statusOf } from "./response.ts";
import { usageFromResponses } from "./usage.ts";

function errorOf(value: unknown, fallback: string): { type: string; message: string } {
  const e = isObject(value) ? value : {};
  const type = typeof e.code === "string" ? e.code : typeof e.type === "string" && e.type !== "error" ? e.type : "api_error";
  return { type, message: typeof e.message === "string" ? e.message : fallback };
}

/**
 * Responses events in, neutral events out. Each output text part, function call and reasoning
 * item is one neutral block; the terminal `response.completed` / `response.incomplete` carries the
 * finish and the usage, `response.failed` and `error` a failure.
 */
export class ResponsesStreamDecoder extends SseStreamDecoder<StreamEvent> implements StreamDecoder {
  private readonly blocks = new Map<string, number>();
  private open: number | null = null;
  private next = 0;
  private called = false;
  private over = false;

  private start(key: string, block: StreamBlock, out: StreamEvent[]): number {
    this.stop(out);
    const index = this.next++;
    this.blocks.set(key, index);
    this.open = index;
    out.push({ type: "block_start", index, block });
    return index;
  }

  private stop(out: StreamEvent[], key?: string): void {
    if (this.open === null) return;
    if (key !== undefined && this.blocks.get(key) !== this.open) return;
    out.push({ type: "block_stop", index: this.open });
    this.open = null;
  }

  protected event({ data }: SseEvent, out: StreamEvent[]): void {
    if (this.over || data.length === 0) return;
    let event: Json;
    try {
      event = JSON.parse(data) as Json;
    } catch {
      return;
    }
    const at = typeof event.output_index === "number" ? event.output_index : 0;
    switch (event.type) {
      case "response.created": {
        const response = isObject(event.response) ? event.response : {};
        out.push({ type: "start", id: typeof response.id === "string" ? response.id : "", model: typeof response.model === "string" ? response.model : "", usage: null });
        break;
      }
      case "response.output_item.added": {
        const item = isObject(event.item) ? event.item : {};
        if (item.type === "function_call") {
          this.called = true;
          const index = this.start(`${at}`, { type: "tool_call", id: typeof item.call_id === "string" ? item.call_id : `call_${at}`, name: typeof item.name === "string" ? item.name : "" }, out);
          if (typeof item.arguments === "string" && item.arguments.length > 0) out.push({ type: "tool_args", index, json: item.arguments });
        } else if (item.type === "reasoning") this.start(`${at}`, { type: "thinking" }, out);
        break;
      }
      case "response.content_part.added": {
        const part = isObject(event.part) ? event.part : {};
        if (part.type === "output_text" || part.type === "refusal") this.start(`${at}:${String(event.content_index ?? 0)}`, { type: "text" }, out);
        break;
      }
      case "response.output_text.delta":
      case "response.refusal.delta": {
        const index = this.blocks.get(`${at}:${String(event.content_index ?? 0)}`);
        if (index !== undefined && typeof event.delta === "string" && event.delta.length > 0) out.push({ type: "text", index, text: event.delta });
        break;
      }
      case "response.content_part.done":
        this.stop(out, `${at}:${String(event.content_index ?? 0)}`);
        break;
      case "response.function_call_arguments.delta": {
        const index = this.blocks.get(`${at}`);
        if (index !== undefined && typeof event.delta === "string" && event.delta.length > 0) out.push({ type: "tool_args", index, json: event.delta });
        break;
      }
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta": {
        const index = this.blocks.get(`${at}`);
        if (index !== undefined && typeof event.delta === "string" && event.delta.length > 0) out.push({ type: "thinking", index, text: event.delta });
        break;
      }
      case "response.output_item.done":
        // A message's parts close with their own events; calls and reasoning close with their item.
        if (this.open !== null && [...this.blocks].some(([key, index]) => index === this.open && (key === `${at}` || key.startsWith(`${at}:`)))) this.stop(out);
        break;
      case "response.completed":
      case "response.incomplete": {
        const response = isObject(event.response) ? event.response : {};
        this.stop(out);
        out.push({ type: "finish", reason: finishFromResponses(response.status ?? (event.type === "response.completed" ? "completed" : "incomplete"), response.incomplete_details, this.called), stopSequence: null });
        const usage = usageFromResponses(response.usage);
        if (usage !== null) out.push({ type: "usage", usage });
        out.push({ type: "done" });
        this.over = true;
        break;
      }
      case "response.failed": {
        const response = isObject(event.response) ? event.response : {};
        out.push({ type: "error", error: errorOf(response.error, "The response failed.") });
        this.over = true;
        break;
      }
      case "error":
        out.push({ type: "error", error: errorOf(isObject(event.error) ? event.error : event, "Upstream error.") });
        this.over = true;
        break;
    }
  }
}

interface OpenItem {
  readonly index: number;
  readonly outputIndex: number;
  readonly block: StreamBlock;
  readonly id: string;
  text: string;
}

/**
 * Neutral events in, the Responses event sequence out, as the OpenAI SDKs and the Vercel AI SDK
 * accumulate it: response.created and .in_progress; per item output_item.added, its part or
 * arguments events and their deltas, the `.done` events with the whole text, output_item.done;
 * then response.completed (or .incomplete) with the whole response and its usage. Every event
 * has its `sequence_number`.
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private id = "";
  private model = "";
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;
  private open: OpenItem | null = null;
  private readonly items: Json[] = [];
  private finish: FinishReason = "stop";
  private usage: Usage | null = null;

  constructor(private readonly body: RequestBody) {}

  private send(type: string, data: Json): string {
    return sseEvent(JSON.stringify({ type, sequence_number: this.seq++, ...data }), type);
  }

  private snapshot(status: string, incomplete: Json | null, usage: Usage | null, error: Json | null = null): Json {
    return responseObject({ id: this.id, model: this.model, created: this.created, status, incomplete, output: status === "in_progress" ? [] : this.items, usage, error }, this.body);
  }

  private opening(): string {
    if (this.started) return "";
    this.started = true;
    if (this.id.length === 0) this.id = itemId("resp_");
    const response = this.snapshot("in_progress", null, null);
    return this.send("response.created", { response }) + this.send("response.in_progress", { response });
  }

  private begin(index: number, block: StreamBlock): string {
    let out = this.opening() + this.close();
    const outputIndex = this.items.length;
    if (block.type === "text") {
      const id = itemId("msg_");
      this.open = { index, outputIndex, block, id, text: "" };
      out += this.send("response.output_item.added", { output_index: outputIndex, item: { id, type: "message", status: "in_progress", content: [], role: "assistant" } });
      out += this.send("response.content_part.added", { item_id: id, output_index: outputIndex, content_index: 0, part: { type: "output_text", annotations: [], logprobs: [], text: "" } });
    } else if (block.type === "tool_call") {
      const id = itemId("fc_");
      this.open = { index, outputIndex, block, id, text: "" };
      out += this.send("response.output_item.added", { output_index: outputIndex, item: { id, type: "function_call", status: "in_progress", arguments: "", call_id: block.id, name: block.name } });
    } else if (block.type === "thinking") {
      const id = itemId("rs_");
      this.open = { index, outputIndex, block, id, text: "" };
      out += this.send("response.output_item.added", { output_index: outputIndex, item: { id, type: "reasoning", summary: [] } });
      out += this.send("response.reasoning_summary_part.added", { item_id: id, output_index: outputIndex, summary_index: 0, part: { type: "summary_text", text: "" } });
    }
    // Redacted thinking has no Responses form a client could use: it is not sent.
    return out;
  }

  private close(): string {
    const item = this.open;
    if (item === null) return "";
    this.open = null;
    const base = { item_id: item.id, output_index: item.outputIndex };
    let out = "";
    let done: Json;
    if (item.block.type === "text") {
      const part = { type: "output_text", annotations: [], logprobs: [], text: item.text };
      out += this.send("response.output_text.done", { ...base, content_index: 0, text: item.text, logprobs: [] });
      out += this.send("response.content_part.done", { ...base, content_index: 0, part });
      done = { id: item.id, type: "message", status: "completed", content: [part], role: "assistant" };
    } else if (item.block.type === "tool_call") {
      out += this.send("response.function_call_arguments.done", { ...base, name: item.block.name, arguments: item.text });
      done = { id: item.id, type: "function_call", status: "completed", arguments: item.text, call_id: item.block.id, name: item.block.name };
    } else {
      const part = { type: "summary_text", text: item.text };
      out += this.send("response.reasoning_summary_text.done", { ...base, summary_index: 0, text: item.text });
      out += this.send("response.reasoning_summary_part.done", { ...base, summary_index: 0, part });
      done = { id: item.id, type: "reasoning", summary: [part] };
    }
    this.items.push(done);
    return out + this.send("response.output_item.done", { output_index: item.outputIndex, item: done });
  }

  private delta(index: number, type: string, delta: string, extra: Json): string {
    const item = this.open;
    if (item === null || item.index !== index || delta.length === 0) return "";
    item.text += delta;
    return this.send(type, { item_id: item.id, output_index: item.outputIndex, ...extra, delta });
  }

  encode(event: StreamEvent): string {
    switch (event.type) {
      case "start":
        if (!this.started) {
          this.id = event.id;
          this.model = event.model;
        }
        if (event.usage !== null) this.usage = event.usage;
        return this.opening();
      case "block_start":
        return this.begin(event.index, event.block);
      case "text":
        return this.opening() + (this.open?.block.type === "text" ? this.delta(event.index, "response.output_text.delta", event.text, { content_index: 0, logprobs: [] }) : "");
      case "tool_args":
        return this.open?.block.type === "tool_call" ? this.delta(event.index, "response.function_call_arguments.delta", event.json, {}) : "";
      case "thinking":
        return this.open?.block.type === "thinking" ? this.delta(event.index, "response.reasoning_summary_text.delta", event.text, { summary_index: 0 }) : "";
      case "block_stop":
        return this.open !== null && this.open.index === event.index ? this.close() : "";
      case "finish":
        this.finish = event.reason;
        return "";
      case "usage":
        this.usage = event.usage;
        return "";
      case "error":
        return this.send("error", { code: event.error.type, message: event.error.message, param: null });
      case "ping":
        return ": ping\n\n";
      default:
        return "";
    }
  }

  end(): string {
    const { status, incomplete_details } = statusOf(this.finish);
    const out = this.opening() + this.close();
    return out + this.send(status === "completed" ? "response.completed" : "response.incomplete", { response: this.snapshot(status, incomplete_details, this.usage) });
  }

  error(error: GatewayError): string {
    // The documented `error` event: the OpenAI SDKs and the AI SDK raise it as the stream's error.
    return this.opening() + this.send("error", { code: error.code ?? error.type, message: error.message, param: error.param });
  }
}
