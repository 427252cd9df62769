import type { AttemptGuard } from "./attempt-guard.ts";
import { GatewayError } from "./errors.ts";
import type { StreamRelay } from "./stream-relay.ts";

export type StreamEnd = "done" | "aborted" | "error";

const encoder = new TextEncoder();

/** Why the client's stream ended early, as the error event its dialect sends it. */
export type StreamErrorEvent = (error: GatewayError) => string;

function brokenStream(message: string): GatewayError {
  return new GatewayError({ status: 502, message, code: "upstream_stream_error", type: "api_error", fault: "provider" });
}

/**
 * Forward an upstream stream to the client chunk by chunk (pull-based, so a slow client slows the
 * upstream read instead of growing a buffer), through a relay that passes or translates it and
 * picks up usage. A failure after the first byte cannot fall back any more: the client gets an
 * error event in its own dialect and a clean end.
 */
export function clientStream(
  chunks: AsyncIterable<Uint8Array>,
  relay: StreamRelay,
  guard: AttemptGuard,
  errorEvent: StreamErrorEvent,
  onEnd: (how: StreamEnd, error: unknown, bytesSent: number) => void,
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  let ended = false;
  let sent = 0;
  const end = (how: StreamEnd, error: unknown): void => {
    if (ended) return;
    ended = true;
    guard.release();
    onEnd(how, error, sent);
  };
  guard.watchIdle();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { value, done } = await iterator.next();
            if (done) {
              const tail = relay.end();
              if (tail !== null) {
                sent += tail.byteLength;
                controller.enqueue(tail);
              }
              if (relay.stopped !== null) {
                controller.close();
                end("error", relay.stopped);
                return;
              }
              if (relay.incomplete) {
                const cut = brokenStream("Upstream stream ended before it was complete.");
                const event = encoder.encode(errorEvent(cut));
                sent += event.byteLength;
                controller.enqueue(event);
                controller.close();
                end("error", cut);
                return;
              }
              controller.close();
              end("done", null);
              return;
            }
            guard.chunk();
            const out = relay.push(value);
            if (out !== null) {
              sent += out.byteLength;
              controller.enqueue(out);
              if (relay.stopped !== null) {
                // A stream hook ended it: its error event went out; stop reading the upstream.
                controller.close();
                guard.abort(relay.stopped);
                end("error", relay.stopped);
                void Promise.resolve(iterator.return?.()).catch(() => {});
              }
              return;
            }
          }
        } catch (error) {
          if (ended) return;
          if (guard.clientGone) {
            end("aborted", error);
            try {
              controller.close();
            } catch {
              // Already cancelled by the runtime.
            }
            return;
          }
          const timeout = guard.timeout;
          const message = timeout !== null ? `Upstream stream stalled: ${timeout.message}.` : "Upstream stream ended unexpectedly.";
          try {
            const event = encoder.encode(errorEvent(brokenStream(message)));
            sent += event.byteLength;
            controller.enqueue(event);
            controller.close();
          } catch {
            // The client side is already gone.
          }
          // The gateway's own timeout is the cause when it fired, whatever the read threw.
          end("error", timeout ?? error);
        }
      },
      cancel(reason) {
        guard.abort(reason);
        end("aborted", reason);
        // Do not wait: a pending upstream read settles only when the abort reaches it.
        void Promise.resolve(iterator.return?.()).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
