import { mockChatCompletion, mockChatStreamEvents, mockEmbeddings } from "../providers/mock-llm.ts";
import { type MockControls, mockHarness } from "./mock-harness.ts";

export type { MockFault, RecordedCall, StreamGate } from "./mock-harness.ts";

export interface MockUpstreamOptions {
  /** Models listed at `GET /v1/models`. */
  models?: string[];
  /** Delay between stream events, in ms. Default 0. */
  chunkDelayMs?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  reply?: string;
  dimensions?: number;
}

export interface MockUpstream extends MockControls {
  /** The web-standard handler; serve it with any runtime's listener. */
  fetch(request: Request): Promise<Response>;
}

function errorBody(status: number): string {
  const type = status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  return JSON.stringify({ error: { message: `Mock upstream error ${status}`, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null } });
}

/**
 * An HTTP upstream that speaks the OpenAI wire format (chat JSON and SSE, embeddings, models),
 * records every call and injects faults on demand. Serve it with `listen` from `switchyard/node`.
 */
export function mockUpstream(options: MockUpstreamOptions = {}): MockUpstream {
  const harness = mockHarness({
    errorBody,
    invalidJson: () => ({
      status: 400,
      body: JSON.stringify({ error: { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", param: null, code: null } }),
    }),
    headers: { "x-request-id": "req_mock" },
    chunkDelayMs: options.chunkDelayMs,
  });
  const { json } = harness;

  function authorize(headers: Record<string, string>): Response | null {
    if (options.apiKey === undefined || headers.authorization === `Bearer ${options.apiKey}`) return null;
    return json(JSON.stringify({ error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" } }), 401);
  }

  async function handle(request: Request): Promise<Response> {
    const admitted = await harness.admit(request, authorize);
    if (admitted instanceof Response) return admitted;
    const { body, call, url } = admitted;
    if (request.method === "GET" && url.pathname.endsWith("/models")) {
      const data = (options.models ?? ["mock-model"]).map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "mock" }));
      return json(JSON.stringify({ object: "list", data }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/chat/completions") && body !== null) {
      if (body.stream === true) return harness.stream(mockChatStreamEvents(body, { reply: options.reply }), admitted);
      call.finished = true;
      return json(mockChatCompletion(body, { reply: options.reply }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/embeddings") && body !== null) {
      call.finished = true;
      return json(mockEmbeddings(body, options.dimensions));
    }
    return json(JSON.stringify({ error: { message: `Unknown path ${url.pathname}`, type: "invalid_request_error", param: null, code: "unknown_url" } }), 404);
  }

  return {
    fetch: handle,
    calls: harness.calls,
    fail: harness.fail,
    gate: harness.gate,
    reset: harness.reset,
  };
}
