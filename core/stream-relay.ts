import type { StreamEvent } from "./canonical.ts";
import type { StreamDecoder, StreamEncoder, StreamScanner } from "./dialect.ts";
import { GatewayError, toGatewayError } from "./errors.ts";
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
  /**
   * A stream hook ended the stream: its error event is the last text the relay gave out, and
   * nothing more goes to the client (the upstream read should stop). Null while it runs on.
   */
  readonly stopped: GatewayError | null;
}

/** A same-dialect stream: the scanner passes the bytes on. */
export function passthroughRelay(scanner: StreamScanner): StreamRelay {
  return Object.assign(scanner, { incomplete: false, stopped: null });
}

/** Runs the `onChunk` hooks on one event, pushing what goes on to the client into `out`. */
export type EventHooks = (event: StreamEvent, out: StreamEvent[]) => void;

/**
 * A stream decoded into neutral events and encoded for the client: the provider dialect's
 * decoder and the client's encoder (both the client's when only stream hooks need the events).
 * `hooks`, when given, run between the two. Nothing is buffered beyond the event still arriving.
 * Usage, upstream errors and the clean end are read from the upstream's events, before any hook,
 * so accounting sees what the provider reported whatever a hook shows the client.
 */
export class TranslatingRelay implements StreamRelay {
  usage: Usage | null = null;
  upstreamError: { type: string; message: string } | null = null;
  incomplete = false;
  stopped: GatewayError | null = null;
  private done = false;
  private readonly out: StreamEvent[] = [];

  constructor(private readonly decoder: StreamDecoder, readonly encoder: StreamEncoder, private readonly hooks: EventHooks | null = null) {}

  push(chunk: Uint8Array): Uint8Array | null {
    if (this.stopped !== null) return null;
    return this.relay(this.decoder.push(chunk), false);
  }

  end(): Uint8Array | null {
    if (this.stopped !== null) return null;
    return this.relay(this.decoder.end(), true);
  }

  private relay(events: readonly StreamEvent[], last: boolean): Uint8Array | null {
    let text = "";
    for (const event of events) {
      if (event.type === "usage") this.usage = event.usage;
      else if (event.type === "start" && event.usage !== null) this.usage = event.usage;
      else if (event.type === "error") this.upstreamError = event.error;
      else if (event.type === "done") this.done = true;
      if (this.hooks === null) {
        text += this.encoder.encode(event);
        continue;
      }
      const out = this.out;
      out.length = 0;
      try {
        this.hooks(event, out);
      } catch (error) {
        this.stopped = error instanceof GatewayError ? error : toGatewayError(error);
        return encoder.encode(text + this.encoder.error(this.stopped));
      }
      for (const next of out) text += this.encoder.encode(next);
    }
    if (last) {
      // After an upstream error event the stream is over for the client too: no clean ending follows.
      if (this.upstreamError === null) {
        if (this.done) text += this.encoder.end();
        else this.incomplete = true;
      }
    }
    return text.length === 0 ? null : encoder.encode(text);
  }
}
