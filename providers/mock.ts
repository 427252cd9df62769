import type { ProviderAdapter, ProviderReply, Timeouts } from "../core/provider.ts";
import { mockChatCompletion, mockChatStreamEvents, mockEmbeddings } from "./mock-llm.ts";

export interface MockProviderOptions {
  /** Model ids it lists. Any model id is answered. Default `["mock"]`. */
  models?: string[];
  /** Delay before the answer starts, in ms. Default 0. */
  latencyMs?: number;
  /** Delay between stream chunks, in ms. Default 0. */
  chunkDelayMs?: number;
  /** Characters per stream chunk. Default 12. */
  chunkChars?: number;
  /** Fixed reply text instead of the default echo of the last user message. */
  reply?: string;
  /** Embedding size when the request gives no `dimensions`. Default 1536. */
  dimensions?: number;
  timeouts?: Timeouts;
}

const encoder = new TextEncoder();

function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

async function* streamEvents(events: string[], delayMs: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
  for (let i = 0; i < events.length; i++) {
    if (i > 0) await wait(delayMs, signal);
    if (signal.aborted) throw signal.reason;
    yield encoder.encode(events[i]);
  }
}

/**
 * An in-process provider with no network: deterministic replies in the OpenAI format,
 * realistic usage numbers and chunked streaming. It serves the embedded default and tests.
 */
export function mock(options: MockProviderOptions = {}): ProviderAdapter {
  const chat = { chunkChars: options.chunkChars, reply: options.reply };
  return {
    kind: "mock",
    format: "openai",
    operations: ["embed"],
    models: options.models ?? ["mock"],
    timeouts: options.timeouts,
    async send(call): Promise<ProviderReply> {
      await wait(options.latencyMs ?? 0, call.signal);
      const body = JSON.parse(call.bodyText) as Record<string, unknown>;
      if (call.operation === "embed") {
        return { kind: "json", status: 200, text: mockEmbeddings(body, options.dimensions), requestId: null };
      }
      if (call.stream) {
        return { kind: "stream", status: 200, chunks: streamEvents(mockChatStreamEvents(body, chat), options.chunkDelayMs ?? 0, call.signal), requestId: null };
      }
      return { kind: "json", status: 200, text: mockChatCompletion(body, chat), requestId: null };
    },
  };
}
