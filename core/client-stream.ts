import type { AttemptGuard } from "./attempt-guard.ts";
import { OpenAIStreamScanner } from "./sse.ts";

export type StreamEnd = "done" | "aborted" | "error";

const encoder = new TextEncoder();

/** The OpenAI SDKs raise an APIError when a stream event carries `error`, so a broken stream ends readably. */
function streamErrorEvent(message: string): Uint8Array {
  const body = { error: { message, type: "api_error", code: "upstream_stream_error", param: null } };
  return encoder.encode(`data: ${JSON.stringify(body)}\n\n`);
}

/**
 * Forward an upstream SSE stream to the client chunk by chunk (pull-based, so a slow client slows
 * the upstream read instead of growing a buffer). Usage is picked up as it passes. A failure after
 * the first byte cannot fall back any more: the client gets an error event and a clean end.
 */
export function clientStream(
  chunks: AsyncIterable<Uint8Array>,
  scanner: OpenAIStreamScanner,
  guard: AttemptGuard,
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
              const tail = scanner.end();
              if (tail !== null) {
                sent += tail.byteLength;
                controller.enqueue(tail);
              }
              controller.close();
              end("done", null);
              return;
            }
            guard.chunk();
            const out = scanner.push(value);
            if (out !== null) {
              sent += out.byteLength;
              controller.enqueue(out);
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
            controller.enqueue(streamErrorEvent(message));
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
