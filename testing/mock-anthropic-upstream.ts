import { type MockControls, mockHarness } from "./mock-harness.ts";
import { mockAnthropicMessage, mockAnthropicStreamEvents, mockInputTokens, MockPromptCache } from "./mock-anthropic-llm.ts";

export interface MockAnthropicUpstreamOptions {
  /** Models listed at `GET /v1/models`. */
  models?: string[];
  /** Delay between stream events, in ms. Default 0. */
  chunkDelayMs?: number;
  /** Characters per text delta. Default 12. */
  chunkChars?: number;
  /** When set, requests must carry it as `x-api-key` or `Authorization: Bearer` (as the 2026 SDKs send it), or get a 401. */
  apiKey?: string;
  /** Fixed reply text instead of the default echo of the last user message. */
  reply?: string;
}

export interface MockAnthropicUpstream extends MockControls {
  /** The web-standard handler; serve it with any runtime's listener. */
  fetch(request: Request): Promise<Response>;
}

/** Anthropic's error type for each status it documents. */
const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

export function anthropicErrorBody(status: number, message?: string): string {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
  return JSON.stringify({ type: "error", error: { type, message: message ?? (status === 529 ? "Overloaded" : `Mock upstream error ${status}`) }, request_id: "req_mock" });
}

type Json = Record<string, unknown>;

/** What the real API checks before it answers, in its words; null when the body is fine. */
function invalid(body: Json | null, countOnly: boolean): string | null {
  if (body === null) return "Request body must be a JSON object.";
  if (typeof body.model !== "string" || body.model.length === 0) return "model: Field required";
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: at least one message is required";
  if (!countOnly && (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)) return "max_tokens: Field required";
  return null;
}

/**
 * An HTTP upstream that speaks Anthropic Messages as the real API does (`POST /v1/messages`, JSON
 * and SSE; `POST /v1/messages/count_tokens`; `GET /v1/models`), records every call and injects
 * faults on demand. It answers with text, a `tool_use` when tools are given, a thinking block when
 * thinking is asked for, and usage with cache reads and writes when the request marks
 * `cache_control`. Serve it with `listen` from `switchyard/node`; point the official SDK at it
 * with `baseURL` set to its origin.
 */
export function mockAnthropicUpstream(options: MockAnthropicUpstreamOptions = {}): MockAnthropicUpstream {
  const harness = mockHarness({
    errorBody: (status) => anthropicErrorBody(status),
    invalidJson: () => ({ status: 400, body: anthropicErrorBody(400, "There was an issue with the format of your request: the body is not valid JSON.") }),
    headers: { "request-id": "req_mock" },
    chunkDelayMs: options.chunkDelayMs,
  });
  const { json } = harness;
  const cache = new MockPromptCache();
  const reply = { reply: options.reply, chunkChars: options.chunkChars };

  function authorize(headers: Record<string, string>): Response | null {
    const key = options.apiKey;
    if (key !== undefined && headers["x-api-key"] !== key && headers.authorization !== `Bearer ${key}`) return json(anthropicErrorBody(401, "invalid x-api-key"), 401);
    if (headers["anthropic-version"] === undefined) return json(anthropicErrorBody(400, "anthropic-version: header is required"), 400);
    return null;
  }

  async function handle(request: Request): Promise<Response> {
    const admitted = await harness.admit(request, authorize);
    if (admitted instanceof Response) return admitted;
    const { body, call, url } = admitted;
    if (request.method === "GET" && url.pathname.endsWith("/models")) {
      const data = (options.models ?? ["claude-mock"]).map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" }));
      call.finished = true;
      return json(JSON.stringify({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/messages/count_tokens")) {
      const problem = invalid(body, true);
      if (problem !== null) return json(anthropicErrorBody(400, problem), 400);
      call.finished = true;
      return json(JSON.stringify({ input_tokens: mockInputTokens(body!) }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/messages")) {
      const problem = invalid(body, false);
      if (problem !== null) return json(anthropicErrorBody(400, problem), 400);
      if (body!.stream === true) return harness.stream(mockAnthropicStreamEvents(body!, cache, reply), admitted);
      call.finished = true;
      return json(mockAnthropicMessage(body!, cache, reply));
    }
    return json(anthropicErrorBody(404, `Unknown path ${url.pathname}`), 404);
  }

  return {
    fetch: handle,
    calls: harness.calls,
    fail: harness.fail,
    gate: harness.gate,
    reset: harness.reset,
  };
}
