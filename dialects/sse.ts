/**
 * Server-sent events, read incrementally: bytes in as they arrive (split anywhere, even inside a
 * UTF-8 sequence or a CRLF), whole events out. Shared by every dialect whose stream is SSE.
 */

/** One event: its `event:` name ("" when the stream names none) and its `data:` lines joined by \n. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Longest event kept while waiting for its end: an upstream that never ends an event cannot grow memory without bound. */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

export class SseReader {
  private readonly decoder = new TextDecoder();
  private pending = "";
  private event = "";
  private data: string[] = [];

  /** The events that `chunk` completes, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    return this.lines(this.pending + this.decoder.decode(chunk, { stream: true }), false);
  }

  /** The stream ended: an event still open is dispatched, as a blank line would have. */
  end(): SseEvent[] {
    const events = this.lines(this.pending + this.decoder.decode(), true);
    if (this.data.length > 0 || this.event.length > 0) events.push(this.dispatch());
    return events;
  }

  private lines(text: string, final: boolean): SseEvent[] {
    const out: SseEvent[] = [];
    let from = 0;
    // Most streams end lines with LF alone; a CR is looked for only while one is in the text.
    let cr = text.indexOf("\r", from);
    for (;;) {
      const lf = text.indexOf("\n", from);
      if (cr >= 0 && cr < from) cr = text.indexOf("\r", from);
      const nl = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      if (nl < 0) break;
      // A CR at the very end may be half of a CRLF split across chunks: wait for the next byte.
      if (text.charCodeAt(nl) === 13 && nl === text.length - 1 && !final) break;
      const line = text.slice(from, nl);
      from = text.charCodeAt(nl) === 13 && text.charCodeAt(nl + 1) === 10 ? nl + 2 : nl + 1;
      if (line.length === 0) {
        if (this.data.length > 0 || this.event.length > 0) out.push(this.dispatch());
      } else this.field(line);
    }
    this.pending = text.slice(from);
    if (this.pending.length > MAX_PENDING_CHARS) throw new Error("event stream line too long");
    if (final && this.pending.length > 0) {
      this.field(this.pending);
      this.pending = "";
    }
    return out;
  }

  private field(line: string): void {
    if (line.charCodeAt(0) === 58 /* : */) return; // a comment (keep-alive)
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (name === "data") this.data.push(value);
    else if (name === "event") this.event = value;
  }

  private dispatch(): SseEvent {
    const event: SseEvent = { event: this.event, data: this.data.join("\n") };
    this.event = "";
    this.data = [];
    return event;
  }
}

/** One SSE event as text: `event:` (when named) and `data:` lines, ended by a blank line. */
export function sseEvent(data: string, event?: string): string {
  const body = data.indexOf("\n") < 0 ? `data: ${data}\n` : `${data.split("\n").map((line) => `data: ${line}`).join("\n")}\n`;
  return event === undefined ? `${body}\n` : `event: ${event}\n${body}\n`;
}

/**
 * The frame of an SSE dialect's stream decoder: events are read here, and a dialect says what
 * one event's data means (`event`) and what a clean end adds (`finish`).
 */
export abstract class SseStreamDecoder<E> {
  private readonly reader = new SseReader();

  push(chunk: Uint8Array): E[] {
    const out: E[] = [];
    for (const event of this.reader.push(chunk)) this.event(event, out);
    return out;
  }

  end(): E[] {
    const out: E[] = [];
    for (const event of this.reader.end()) this.event(event, out);
    this.finish(out);
    return out;
  }

  /** One whole event in; what it means, appended to `out`. */
  protected abstract event(event: SseEvent, out: E[]): void;

  /** The body ended: anything that follows from that. */
  protected finish(_out: E[]): void {}
}
