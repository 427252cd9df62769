import { mockChatCompletion, mockChatStreamEvents, mockEmbeddings } from "../providers/mock-llm.ts";
import { mockCountTokens, mockMessage, mockMessageStreamEvents, MockPromptCache } from "../providers/mock-anthropic.ts";
import { mockResponse, mockResponseStreamEvents } from "../providers/mock-responses.ts";
import { mockBatchEmbedContents, mockCountGeminiTokens, mockEmbedContent, mockGenerateContent, mockStreamGenerateContentEvents } from "../providers/mock-gemini.ts";

/** What the mock saw of one request, for assertions. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown> | null;
  readonly rawBody: string;
  /** True once the caller went away before the response finished. */
  aborted: boolean;
  /** True once the whole response was sent. */
  finished: boolean;
}

/** A scripted failure or behaviour for the next request(s). */
export interface MockFault {
  /** Answer with this status and body (OpenAI error shape by default). */
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (until the caller aborts). */
  hang?: boolean;
  /** Stream: send this many events, then break the connection. */
  cutAfterEvents?: number;
  /** Stream: wait this long between events (overrides the upstream's `chunkDelayMs`). */
  chunkDelayMs?: number;
  /**
   * Drop the connection before any response header is sent (answers `Response.error()`, which
   * the Node listener turns into a TCP reset and `inProcessUpstream` into a network error).
   */
  reset?: boolean;
}

export interface MockUpstreamOptions {
  /** Models listed at `GET /v1/models`. */
  models?: string[];
  /** Delay between stream events, in ms. Default 0. */
  chunkDelayMs?: number;
  /**
   * When set, requests must carry `Authorization: Bearer <apiKey>` (or, on Anthropic paths,
   * `x-api-key`; on Gemini paths, `x-goog-api-key` or `?key=`) or get a 401.
   */
  apiKey?: string;
  reply?: string;
  dimensions?: number;
}

/** A stream paused after some events until released, to observe what arrives before the end. */
export interface StreamGate {
  /** Resolves when the paused stream has sent its first `afterEvents` events. */
  readonly reached: Promise<void>;
  release(): void;
}

export interface MockUpstream {
  /** The web-standard handler; serve it with any runtime's listener. */
  fetch(request: Request): Promise<Response>;
  readonly calls: RecordedCall[];
  /** Queue faults for the next requests, in order. */
  fail(...faults: MockFault[]): void;
  /** Pause the next streamed response after `afterEvents` events until `release()`. */
  gate(afterEvents: number): StreamGate;
  reset(): void;
}

const encoder = new TextEncoder();

function errorBody(status: number, anthropic: boolean): string {
  if (anthropic) {
    const type = status === 529 ? "overloaded_error" : status === 429 ? "rate_limit_error" : status === 401 ? "authentication_error" : status >= 500 ? "api_error" : "invalid_request_error";
    return JSON.stringify({ type: "error", error: { type, message: `Mock upstream error ${status}` }, request_id: "req_mock" });
  }
  const type = status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
  return JSON.stringify({ error: { message: `Mock upstream error ${status}`, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null } });
}

/** Google's error shape, with the status name its HTTP status goes with. */
function googleErrorBody(status: number, message: string, reason?: string): string {
  const name = status === 400 ? "INVALID_ARGUMENT" : status === 401 ? "UNAUTHENTICATED" : status === 403 ? "PERMISSION_DENIED" : status === 404 ? "NOT_FOUND"
    : status === 429 ? "RESOURCE_EXHAUSTED" : status === 503 ? "UNAVAILABLE" : status === 504 ? "DEADLINE_EXCEEDED" : status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
  const error: Record<string, unknown> = { code: status, message, status: name };
  if (reason !== undefined) error.details = [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "googleapis.com" }];
  return JSON.stringify({ error });
}

/** A Gemini API path: `…/models/{model}:{method}`. */
const GEMINI_PATH = /\/models\/(.+):(generateContent|streamGenerateContent|countTokens|embedContent|batchEmbedContents)$/;

/** Anthropic Messages lives under `/messages`; everything else here is OpenAI's format. */
function isAnthropicPath(path: string): boolean {
  return path.endsWith("/messages") || path.endsWith("/messages/count_tokens");
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** The part of a fault every format shares: a delay, then a dropped connection or no answer at all. */
async function delayResetOrHang(fault: MockFault | undefined, call: RecordedCall, signal: AbortSignal): Promise<Response | null> {
  if (fault?.delayMs) await sleep(fault.delayMs, signal);
  if (fault?.reset) {
    call.aborted = true;
    return Response.error();
  }
  if (fault?.hang) {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    call.aborted = true;
    return json("{}", 499);
  }
  return null;
}

/** OpenAI names its request id `x-request-id`, Anthropic `request-id`; the mock sends both. */
const REQUEST_ID = { "x-request-id": "req_mock", "request-id": "req_mock" };

function json(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "application/json", ...REQUEST_ID, ...headers } });
}

/**
 * An HTTP upstream that speaks the OpenAI wire format (chat JSON and SSE, embeddings, models, the
 * Responses API at `/v1/responses`) and Anthropic's (`/v1/messages` JSON and SSE,
 * `/v1/messages/count_tokens`, errors in its shape) and the Gemini API's (`…/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse`, `:countTokens`, `:embedContent`, `:batchEmbedContents`),
 * records every call and injects faults on demand. Serve it with `listen` from `switchyard/node`.
 */
export function mockUpstream(options: MockUpstreamOptions = {}): MockUpstream {
  const calls: RecordedCall[] = [];
  let faults: MockFault[] = [];
  let gates: { after: number; reached: () => void; released: Promise<void> }[] = [];

  const promptCache = new MockPromptCache();

  function streamResponse(events: string[], call: RecordedCall, signal: AbortSignal, fault: MockFault | undefined): Response {
    const gate = gates.shift();
    let index = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (signal.aborted) {
          call.aborted = true;
          controller.error(new Error("aborted"));
          return;
        }
        if (index >= events.length) {
          call.finished = true;
          controller.close();
          return;
        }
        if (fault?.cutAfterEvents !== undefined && index >= fault.cutAfterEvents) {
          controller.error(new Error("mock upstream cut the stream"));
          return;
        }
        if (gate !== undefined && index === gate.after) {
          gate.reached();
          await gate.released;
        }
        if (index > 0) await sleep(fault?.chunkDelayMs ?? options.chunkDelayMs ?? 0, signal);
        controller.enqueue(encoder.encode(events[index++]));
      },
      cancel() {
        call.aborted = true;
      },
    });
    signal.addEventListener("abort", () => {
      if (!call.finished) call.aborted = true;
    }, { once: true });
    return new Response(stream, { headers: { "content-type": "text/event-stream", ...REQUEST_ID } });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const rawBody = request.method === "POST" ? await request.text() : "";
    let body: Record<string, unknown> | null = null;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : null;
    } catch {
      return json(JSON.stringify({ error: { message: "We could not parse the JSON body of your request.", type: "invalid_request_error", param: null, code: null } }), 400);
    }
    const call: RecordedCall = { method: request.method, path: url.pathname, headers, body, rawBody, aborted: false, finished: false };
    calls.push(call);
    const signal = request.signal;

    const geminiPath = GEMINI_PATH.exec(url.pathname);
    if (geminiPath !== null) return handleGemini(geminiPath[1], geminiPath[2], url, call, body, signal);
    const anthropic = isAnthropicPath(url.pathname);
    const bearer = options.apiKey !== undefined && headers.authorization === `Bearer ${options.apiKey}`;
    // Anthropic takes its key as x-api-key or, as the 2026 SDKs send it, as a bearer token.
    if (anthropic && options.apiKey !== undefined && headers["x-api-key"] !== options.apiKey && !bearer) {
      return json(JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }), 401);
    }
    if (!anthropic && options.apiKey !== undefined && !bearer) {
      return json(JSON.stringify({ error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" } }), 401);
    }
    const fault = faults.shift();
    const faulted = await delayResetOrHang(fault, call, signal);
    if (faulted !== null) return faulted;
    if (fault?.status !== undefined) return json(fault.body ?? errorBody(fault.status, anthropic), fault.status, fault.headers);

    if (request.method === "GET" && url.pathname.endsWith("/models")) {
      const data = (options.models ?? ["mock-model"]).map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "mock" }));
      return json(JSON.stringify({ object: "list", data }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/messages/count_tokens") && body !== null) {
      call.finished = true;
      return json(mockCountTokens(body));
    }
    if (request.method === "POST" && url.pathname.endsWith("/messages") && body !== null) {
      if (body.stream === true) return streamResponse(mockMessageStreamEvents(body, promptCache, { reply: options.reply }), call, signal, fault);
      call.finished = true;
      return json(mockMessage(body, promptCache, { reply: options.reply }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/chat/completions") && body !== null) {
      if (body.stream === true) return streamResponse(mockChatStreamEvents(body, { reply: options.reply }), call, signal, fault);
      call.finished = true;
      return json(mockChatCompletion(body, { reply: options.reply }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/responses") && body !== null) {
      if (body.stream === true) return streamResponse(mockResponseStreamEvents(body, { reply: options.reply }), call, signal, fault);
      call.finished = true;
      return json(mockResponse(body, { reply: options.reply }));
    }
    if (request.method === "POST" && url.pathname.endsWith("/embeddings") && body !== null) {
      call.finished = true;
      return json(mockEmbeddings(body, options.dimensions));
    }
    return json(JSON.stringify({ error: { message: `Unknown path ${url.pathname}`, type: "invalid_request_error", param: null, code: "unknown_url" } }), 404);
  }

  /** The Gemini API: key in `x-goog-api-key` or `?key=`, errors in Google's shape. */
  async function handleGemini(model: string, method: string, url: URL, call: RecordedCall, body: Record<string, unknown> | null, signal: AbortSignal): Promise<Response> {
    const key = call.headers["x-goog-api-key"] ?? url.searchParams.get("key");
    // Google answers a wrong key with 400 INVALID_ARGUMENT and the reason API_KEY_INVALID.
    if (options.apiKey !== undefined && key !== options.apiKey) return json(googleErrorBody(400, "API key not valid. Please pass a valid API key.", "API_KEY_INVALID"), 400);
    if (call.method !== "POST" || body === null) return json(googleErrorBody(400, "Invalid JSON payload received."), 400);
    const fault = faults.shift();
    const faulted = await delayResetOrHang(fault, call, signal);
    if (faulted !== null) return faulted;
    if (fault?.status !== undefined) return json(fault.body ?? googleErrorBody(fault.status, `Mock upstream error ${fault.status}`), fault.status, fault.headers);
    const reply = { reply: options.reply };
    switch (method) {
      case "streamGenerateContent":
        if (url.searchParams.get("alt") === "sse") return streamResponse(mockStreamGenerateContentEvents(body, model, reply), call, signal, fault);
        break;
      case "generateContent":
        call.finished = true;
        return json(mockGenerateContent(body, model, reply));
      case "countTokens":
        call.finished = true;
        return json(mockCountGeminiTokens(body));
      case "embedContent":
        call.finished = true;
        return json(mockEmbedContent(body, options.dimensions));
      case "batchEmbedContents": {
        call.finished = true;
        const text = mockBatchEmbedContents(body, model, options.dimensions);
        return text === null ? json(googleErrorBody(400, `Each request's model must be models/${model}.`), 400) : json(text);
      }
    }
    // The mock streams only as server-sent events, the format every Gemini SDK asks for.
    return json(googleErrorBody(400, "The mock streams with alt=sse only."), 400);
  }

  return {
    fetch: handle,
    calls,
    fail(...more) {
      faults.push(...more);
    },
    gate(afterEvents) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      gates.push({ after: afterEvents, reached, released });
      return { reached: reachedPromise, release };
    },
    reset() {
      calls.length = 0;
      faults = [];
      gates = [];
    },
  };
}
