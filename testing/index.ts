/**
 * Helpers for testing gateways and plugins in-process: a gateway on the built-in mock provider,
 * request shortcuts, an HTTP mock upstream in the OpenAI and Anthropic wire formats with fault
 * injection, and the dialect conformance suite with recorded transcripts of each dialect.
 */
import { createGateway, type Gateway } from "../core/gateway.ts";
import type { GatewayConfig } from "../core/config.ts";
import type { GatewayError } from "../core/errors.ts";
import { mock } from "../providers/mock.ts";
import { fetchUpstream, type UpstreamClient } from "../core/upstream.ts";

export { cacheStoreConformance, type ConformanceCheck } from "./cache-store-conformance.ts";
export { counterStoreConformance, type ConformanceCase } from "./counter-store-conformance.ts";
export { keyStoreConformance, type KeyStoreConformanceOptions } from "./key-store-conformance.ts";
export { logSinkConformance, type ReadSink } from "./sink-conformance.ts";
export { sampleLogRecord } from "./log-record-sample.ts";
export { mockAzureUpstream, type MockAzureOptions } from "./mock-azure.ts";
export { mockBedrockUpstream, type MockBedrockOptions, type MockBedrockUpstream } from "./mock-bedrock.ts";
export { providerConformance, type ProviderConformanceOptions } from "./provider-conformance.ts";
export { mockUpstream, type MockFault, type MockUpstream, type MockUpstreamOptions, type RecordedCall, type StreamGate } from "./mock-upstream.ts";
export { decodeStream, dialectConformance, difference, type DialectTranscript, foldStream, neutralRequest } from "./dialect-conformance.ts";
export { anthropicTranscripts } from "./transcripts/anthropic.ts";
export { responsesTranscripts } from "./transcripts/responses.ts";
export { geminiTranscripts } from "./transcripts/gemini.ts";

export interface TestGateway extends Gateway {
  /** Errors the gateway reported (onComplete failures, gateway faults), newest last. */
  readonly reported: GatewayError[];
  /** POST a JSON body; headers are added to `content-type: application/json`. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
}

/**
 * A gateway for tests: a `mock` provider is configured unless the config names its own
 * providers, and reported errors are collected instead of printed.
 */
export async function createTestGateway(config: Partial<GatewayConfig> = {}): Promise<TestGateway> {
  const reported: GatewayError[] = [];
  const gateway = await createGateway({
    ...config,
    providers: config.providers ?? { mock: mock() },
    onError: (error) => {
      reported.push(error);
      config.onError?.(error);
    },
  });
  return Object.freeze({
    ...gateway,
    get inFlight() {
      return gateway.inFlight;
    },
    get reportedErrors() {
      return gateway.reportedErrors;
    },
    reported,
    post(path: string, body: unknown, headers: Record<string, string> = {}) {
      return gateway.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    },
  });
}

/** Read an SSE response into its `data:` payloads (without `[DONE]`), parsed as JSON. */
export async function readSSE(response: Response): Promise<unknown[]> {
  const text = await response.text();
  const out: unknown[] = [];
  for (const event of text.split(/\r?\n\r?\n/)) {
    const line = event.split(/\r?\n/).find((l) => l.startsWith("data:"));
    if (line === undefined) continue;
    const data = line.slice(5).trim();
    if (data === "[DONE]") continue;
    out.push(JSON.parse(data));
  }
  return out;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * An upstream client that calls a fetch handler (such as `mockUpstream().fetch`) in-process, with
 * `fetch`'s abort semantics: an aborted signal rejects the pending call and errors the body.
 * Gateway tests run without sockets this way.
 */
export function inProcessUpstream(handler: (request: Request) => Promise<Response>): UpstreamClient {
  return fetchUpstream(async (input, init) => {
    const signal = init?.signal;
    const response = await abortable(handler(new Request(input as string, init)), signal);
    // `Response.error()` is a network error; `fetch` rejects with a TypeError for those.
    if (response.type === "error") throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    if (response.body === null || !signal) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await abortable(reader.read(), signal);
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  });
}
