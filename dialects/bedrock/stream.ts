/**
 * Converse streams (the binary AWS event stream) → neutral stream events. Bedrock opens only tool
 * use blocks with `contentBlockStart`; text and reasoning blocks begin with their first delta. The
 * finish comes in `messageStop`, the usage after it in `metadata`, which ends a clean stream.
 */
import type { StreamEvent } from "../../core/canonical.ts";
import type { StreamDecoder } from "../../core/dialect.ts";
import { isObject, type Json } from "../json.ts";
import { type EventMessage, EventStreamFramer } from "./eventstream.ts";
import { bedrockMessageId, finishFromBedrock } from "./response.ts";
import { usageFromBedrock } from "./usage.ts";

const utf8 = new TextDecoder();

function payloadOf(message: EventMessage): Json | null {
  try {
    const value = JSON.parse(utf8.decode(message.payload)) as unknown;
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

export class BedrockStreamDecoder implements StreamDecoder {
  private readonly framer = new EventStreamFramer();
  /** Bedrock's block index → the neutral one, for blocks opened so far. */
  private readonly indexes = new Map<number, number>();
  private open: number | null = null;
  private next = 0;
  private started = false;
  private finished = false;
  private done = false;
  private failed = false;

  constructor(private readonly model: string = "") {}

  push(chunk: Uint8Array): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.done || this.failed) return out;
    let messages: EventMessage[];
    try {
      messages = this.framer.push(chunk);
    } catch (error) {
      this.failed = true;
      out.push({ type: "error", error: { type: "invalid_event_stream", message: error instanceof Error ? error.message : String(error) } });
      return out;
    }
    for (const message of messages) this.message(message, out);
    return out;
  }

  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    // A stream that reached its finish but lost the metadata after it is still a whole answer.
    if (!this.done && !this.failed && this.finished) {
      this.closeOpen(out);
      this.done = true;
      out.push({ type: "done" });
    }
    return out;
  }

  private start(out: StreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    out.push({ type: "start", id: bedrockMessageId(), model: this.model, usage: null });
  }

  private closeOpen(out: StreamEvent[]): void {
    if (this.open !== null) out.push({ type: "block_stop", index: this.open });
    this.open = null;
  }

  /** The neutral index of Bedrock block `index`, opening it as `kind` if it is new. */
  private block(index: number, kind: "text" | "thinking", out: StreamEvent[]): number {
    const known = this.indexes.get(index);
    if (known !== undefined) return known;
    this.closeOpen(out);
    const mine = this.next++;
    this.indexes.set(index, mine);
    this.open = mine;
    out.push({ type: "block_start", index: mine, block: { type: kind } });
    return mine;
  }

  private message(message: EventMessage, out: StreamEvent[]): void {
    if (this.done || this.failed) return;
    if (message.messageType !== "event") {
      this.failed = true;
      const said = message.messageType === "error" ? message.errorMessage : (payloadOf(message)?.message as string | undefined);
      out.push({ type: "error", error: { type: message.name || message.messageType, message: typeof said === "string" && said.length > 0 ? said : "Bedrock ended the stream with an error." } });
      return;
    }
    const event = payloadOf(message);
    if (event === null) return;
    switch (message.name) {
      case "messageStart":
        this.start(out);
        break;
      case "contentBlockStart": {
        this.start(out);
        const start = isObject(event.start) ? event.start : {};
        const index = typeof event.contentBlockIndex === "number" ? event.contentBlockIndex : -1;
        if (!isObject(start.toolUse) || index < 0) break;
        this.closeOpen(out);
        const mine = this.next++;
        this.indexes.set(index, mine);
        this.open = mine;
        out.push({ type: "block_start", index: mine, block: { type: "tool_call", id: String(start.toolUse.toolUseId ?? ""), name: String(start.toolUse.name ?? "") } });
        break;
      }
      case "contentBlockDelta": {
        this.start(out);
        const delta = isObject(event.delta) ? event.delta : {};
        const index = typeof event.contentBlockIndex === "number" ? event.contentBlockIndex : -1;
        if (index < 0) break;
        if (typeof delta.text === "string") out.push({ type: "text", index: this.block(index, "text", out), text: delta.text });
        else if (isObject(delta.toolUse) && typeof delta.toolUse.input === "string") {
          const mine = this.indexes.get(index);
          if (mine !== undefined) out.push({ type: "tool_args", index: mine, json: delta.toolUse.input });
        } else if (isObject(delta.reasoningContent)) {
          const reasoning = delta.reasoningContent;
          if (typeof reasoning.text === "string") out.push({ type: "thinking", index: this.block(index, "thinking", out), text: reasoning.text });
          else if (typeof reasoning.signature === "string") out.push({ type: "signature", index: this.block(index, "thinking", out), signature: reasoning.signature });
          else if (typeof reasoning.redactedContent === "string" && !this.indexes.has(index)) {
            this.closeOpen(out);
            const mine = this.next++;
            this.indexes.set(index, mine);
            this.open = mine;
            out.push({ type: "block_start", index: mine, block: { type: "redacted_thinking", data: reasoning.redactedContent } });
          }
        }
        break;
      }
      case "contentBlockStop": {
        const mine = typeof event.contentBlockIndex === "number" ? this.indexes.get(event.contentBlockIndex) : undefined;
        if (mine !== undefined && mine === this.open) this.closeOpen(out);
        break;
      }
      case "messageStop":
        this.start(out);
        this.closeOpen(out);
        this.finished = true;
        out.push({ type: "finish", reason: finishFromBedrock(event.stopReason), stopSequence: null });
        break;
      case "metadata": {
        const usage = usageFromBedrock(event.usage);
        if (usage !== null) out.push({ type: "usage", usage });
        if (this.finished) {
          this.done = true;
          out.push({ type: "done" });
        }
        break;
      }
    }
  }
}
