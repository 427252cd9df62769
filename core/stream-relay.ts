import type { StreamEvent } from "./canonical.ts";
import type { StreamDecoder, StreamEncoder, StreamScanner } from "./dialect.ts";
import type { Usage } from "./types.ts";

const encoder = new TextEncoder();

/**
 * What sits between an upstream stream and the client: a dialect's scanner when both sides speak
 * the same format, a translator when they differ. Either way it forwards chunk by chunk and picks
 * up usage and upstream error events on the way.
 */
export interface StreamRelay extends StreamScanner {
  /** The upstream body ended before its format's proper end (only a translator can tell). */
  readonly incomplete: boolean;
}

/** A same-dialect stream: the scanner passes the bytes on. */
export function passthroughRelay(scanner: StreamScanner): StreamRelay {
  return Object.assign(scanner, { incomplete: false });
}

/**
 * A stream translated event by event: the provider dialect's decoder turns bytes into neutral
 * events, the client dialect's encoder turns each into the client's text. Nothing is buffered
 * beyond the event that is still arriving.
 */
export class TranslatingRelay implements StreamRelay {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  incomplete = false;
  private done = false;

  constructor(private readonly decoder: StreamDecoder, readonly encoder: StreamEncoder) {}

  push(chunk: Uint8Array): Uint8Array | null {
    return this.relay(this.decoder.push(chunk), "");
  }

  end(): Uint8Array | null {
    const events = this.decoder.end();
    let tail = "";
    for (const event of events) if (event.type === "done") this.done = true;
    // After an upstream error event the stream is over for the client too: no clean ending follows.
    if (this.upstreamError === null) {
      if (this.done) tail = this.encoder.end();
      else this.incomplete = true;
    }
    return this.relay(events, tail);
  }

  private relay(events: readonly StreamEvent[], tail: string): Uint8Array | null {
    let text = "";
    for (const event of events) {
      if (event.type === "usage") this.usage = event.usage;
      else if (event.type === "start" && event.usage !== null) this.usage = event.usage;
      else if (event.type === "error") this.upstreamError = event.error;
      else if (event.type === "done") this.done = true;
      text += this.encoder.encode(event);
    }
    text += tail;
    return text.length === 0 ? null : encoder.encode(text);
  }
}
