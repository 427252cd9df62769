/**
 * The AWS event stream framing (`application/vnd.amazon.eventstream`): binary messages, each a
 * prelude (total length, headers length, CRC), typed headers, a payload and a CRC. Bedrock's
 * `converse-stream` answers in it. The codec (header types, CRC checks) is `@smithy`'s; this file
 * only cuts a byte stream into whole messages, which may arrive split across chunks or several to
 * a chunk.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/** Bedrock's messages are small; a frame claiming more than this is a broken stream, not a reason to buffer. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const PRELUDE_BYTES = 12;

export interface EventMessage {
  /** `:message-type`: `event`, `exception` or `error`. */
  readonly messageType: string;
  /** `:event-type` of an event, `:exception-type` of an exception, `:error-code` of an error. */
  readonly name: string;
  readonly payload: Uint8Array;
  /** `:error-message` of an `error` message. */
  readonly errorMessage: string | null;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function header(headers: Record<string, { type: string; value: unknown }>, name: string): string | null {
  const value = headers[name]?.value;
  return typeof value === "string" ? value : null;
}

/** Bytes in, whole messages out. */
export class EventStreamFramer {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): EventMessage[] {
    if (this.buffer.length === 0) this.buffer = chunk;
    else {
      const joined = new Uint8Array(this.buffer.length + chunk.length);
      joined.set(this.buffer);
      joined.set(chunk, this.buffer.length);
      this.buffer = joined;
    }
    const out: EventMessage[] = [];
    let at = 0;
    while (this.buffer.length - at >= PRELUDE_BYTES) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + at, 4);
      const total = view.getUint32(0, false);
      if (total < PRELUDE_BYTES + 4 || total > MAX_MESSAGE_BYTES) throw new Error(`event stream message of ${total} bytes is out of bounds`);
      if (this.buffer.length - at < total) break;
      const message = codec.decode(this.buffer.subarray(at, at + total));
      at += total;
      const headers = message.headers as Record<string, { type: string; value: unknown }>;
      const messageType = header(headers, ":message-type") ?? "event";
      const name = header(headers, messageType === "exception" ? ":exception-type" : messageType === "error" ? ":error-code" : ":event-type") ?? "";
      out.push({ messageType, name, payload: message.body, errorMessage: header(headers, ":error-message") });
    }
    // Keep only the incomplete tail (copied, so the chunk it came from can be freed).
    this.buffer = at === 0 ? this.buffer : this.buffer.slice(at);
    return out;
  }

  /** Bytes that never made a whole message. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** One event message, encoded: `:message-type: event`, its `:event-type` and a JSON payload. */
export function encodeEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** One exception message, as Bedrock ends a stream that fails (`throttlingException` …). */
export function encodeException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": { type: "string", value: exceptionType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "exception" },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
