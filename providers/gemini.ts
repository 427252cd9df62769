import type { ProviderAdapter, ProviderCall, ProviderReply, Timeouts } from "../core/provider.ts";
import { topLevelMember } from "../core/json-text.ts";
import { upstreamError } from "../core/upstream-errors.ts";
import { type UpstreamResponse, upstreamRequest } from "../core/upstream.ts";
import { parseGeminiError, retryDelayOf } from "../dialects/gemini/errors.ts";
import { batchEmbedBody, modelName, openaiEmbeddingsFrom } from "./gemini-embeddings.ts";

export interface GeminiProviderOptions {
  /** Sent as `x-goog-api-key`. */
  apiKey?: string;
  /** Default `https://generativelanguage.googleapis.com/v1beta`. */
  baseURL?: string;
  /** Extra headers on every upstream request. */
  headers?: Record<string, string>;
  /** Model ids to list under this provider in `GET /v1/models`. */
  models?: string[];
  timeouts?: Timeouts;
  /** The most output tokens its models take; a translated request asking for more is lowered to it. */
  maxOutputTokens?: number;
  /**
   * Whether a model takes a thinking budget (a boolean for all of them, or a test per model id).
   * Default: Gemini 2.5 and later by name. Requests translated from another format drop their
   * reasoning settings for other models (and say so in `x-switchyard-dropped`).
   */
  reasoning?: boolean | ((model: string) => boolean);
}

const DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com/v1beta";
/** Gemini models that think, by name: 2.5 and every later generation. */
const THINKING_MODELS = /^(?:models\/)?gemini-(?:2\.5|[3-9]|\d{2,})/i;

/**
 * Google's Gemini API: `{baseURL}/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`,
 * `:countTokens`, `:embedContent` and `:batchEmbedContents`, with the key in `x-goog-api-key`.
 * Gemini clients' bodies pass through untouched; other dialects are translated, and OpenAI
 * embeddings requests become `batchEmbedContents` calls.
 */
export function gemini(options: GeminiProviderOptions = {}): ProviderAdapter {
  const base = (options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const common: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.apiKey) common["x-goog-api-key"] = options.apiKey;
  const jsonHeaders = { ...common, accept: "application/json" };
  const streamHeaders = { ...common, accept: "text/event-stream" };
  const reasoning = options.reasoning;

  function url(model: string, method: string): string {
    return `${base}/${modelName(model)}:${method}`;
  }

  async function post(call: ProviderCall, target: string, body: string): Promise<UpstreamResponse> {
    const preset = call.stream ? streamHeaders : jsonHeaders;
    const headers = Object.keys(call.headers).length === 0 ? preset : { ...preset, ...call.headers, ...common };
    const response = await call.upstream.request(upstreamRequest(call, target, headers, body));
    if (response.status >= 400) {
      const text = await response.text().catch(() => "");
      const detail = parseGeminiError(text);
      // Google answers a wrong key with 400 INVALID_ARGUMENT; it is the gateway's credential, not the request.
      const status = response.status === 400 && detail?.code === "API_KEY_INVALID" ? 401 : response.status;
      throw upstreamError(call.provider, { status, text, detail, retryAfter: response.header("retry-after") ?? retryDelayOf(text), requestId: requestIdOf(response) });
    }
    return response;
  }

  return {
    kind: "gemini",
    format: "gemini",
    operations: ["embed", "count_tokens"],
    models: options.models,
    timeouts: options.timeouts,
    maxOutputTokens: options.maxOutputTokens,
    reasoning: typeof reasoning === "function" ? reasoning : typeof reasoning === "boolean" ? () => reasoning : (model) => THINKING_MODELS.test(model),
    async send(call): Promise<ProviderReply> {
      switch (call.operation) {
        case "generate": {
          const response = await post(call, url(call.model, call.stream ? "streamGenerateContent?alt=sse" : "generateContent"), call.bodyText);
          if (call.stream && (response.header("content-type") ?? "").includes("text/event-stream")) {
            return { kind: "stream", status: response.status, chunks: response.chunks(), requestId: requestIdOf(response) };
          }
          return { kind: "json", status: response.status, text: await response.text(), requestId: requestIdOf(response) };
        }
        case "count_tokens": {
          const response = await post(call, url(call.model, "countTokens"), withInnerModel(call.bodyText, "generateContentRequest", call.model));
          return { kind: "json", status: response.status, text: await response.text(), requestId: requestIdOf(response) };
        }
        case "embed": {
          if (call.format === "openai") {
            const body = JSON.parse(call.bodyText) as Record<string, unknown>;
            const response = await post(call, url(call.model, "batchEmbedContents"), batchEmbedBody(body, call.model));
            return { kind: "json", status: response.status, text: openaiEmbeddingsFrom(await response.text(), body, call.model), requestId: requestIdOf(response) };
          }
          const batch = topLevelMember(call.bodyText, "requests") !== null;
          const body = batch ? withBatchModel(call.bodyText, call.model) : withInnerModel(call.bodyText, null, call.model);
          const response = await post(call, url(call.model, batch ? "batchEmbedContents" : "embedContent"), body);
          return { kind: "json", status: response.status, text: await response.text(), requestId: requestIdOf(response) };
        }
      }
    },
  };
}

function requestIdOf(response: UpstreamResponse): string | null {
  return response.header("x-request-id") ?? response.header("x-goog-request-id");
}

/**
 * Gemini checks that a model named inside the body matches the path's. A client that named an
 * alias (routed to this target) names the alias there too: the body's own `model`, or the one in
 * `member` (countTokens' `generateContentRequest`), is set to the target's, when there is one.
 */
function withInnerModel(text: string, member: string | null, model: string): string {
  const holder = member === null ? text : (() => {
    const span = topLevelMember(text, member);
    return span === null ? null : text.slice(span.valueStart, span.valueEnd);
  })();
  if (holder === null || topLevelMember(holder, "model") === null) return text;
  const body = JSON.parse(text) as Record<string, unknown>;
  if (member === null) body.model = modelName(model);
  else (body[member] as Record<string, unknown>).model = modelName(model);
  return JSON.stringify(body);
}

/** batchEmbedContents requires every request to name the path's model. */
function withBatchModel(text: string, model: string): string {
  const body = JSON.parse(text) as { requests: Record<string, unknown>[] };
  const name = modelName(model);
  for (const request of body.requests) request.model = name;
  return JSON.stringify(body);
}
