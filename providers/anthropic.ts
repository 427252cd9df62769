import type { ProviderAdapter, ProviderReply, Timeouts } from "../core/provider.ts";
import { upstreamError } from "../core/upstream-errors.ts";
import { upstreamRequest } from "../core/upstream.ts";
import { parseAnthropicError } from "../dialects/anthropic/errors.ts";

export interface AnthropicProviderOptions {
  /** Sent as `x-api-key`. */
  apiKey?: string;
  /** Default `https://api.anthropic.com/v1`. */
  baseURL?: string;
  /** `anthropic-version` when the client sent none. Default `2023-06-01`. */
  version?: string;
  /** Extra headers on every upstream request (an `anthropic-beta` flag, say). */
  headers?: Record<string, string>;
  /** Model ids to list under this provider in `GET /v1/models`. */
  models?: string[];
  timeouts?: Timeouts;
  /** `max_tokens` for translated requests that set none (Anthropic requires one). Default 8192. */
  defaultMaxTokens?: number;
  /** The most output tokens its models take; a translated request asking for more is lowered to it. */
  maxOutputTokens?: number;
}

/**
 * Anthropic's Messages API: `POST {baseURL}/messages` and `/messages/count_tokens`, with
 * `x-api-key` and `anthropic-version`. Anthropic clients' bodies pass through untouched (with their
 * `anthropic-version` and `anthropic-beta`); other dialects are translated.
 */
export function anthropic(options: AnthropicProviderOptions = {}): ProviderAdapter {
  const base = (options.baseURL ?? "https://api.anthropic.com/v1").replace(/\/+$/, "");
  const urls: Readonly<Record<string, string>> = { generate: `${base}/messages`, count_tokens: `${base}/messages/count_tokens` };
  const fixed: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.apiKey) fixed["x-api-key"] = options.apiKey;
  const version = options.version ?? "2023-06-01";

  return {
    kind: "anthropic",
    format: "anthropic",
    operations: ["count_tokens"],
    models: options.models,
    timeouts: options.timeouts,
    defaultMaxTokens: options.defaultMaxTokens,
    maxOutputTokens: options.maxOutputTokens,
    async send(call): Promise<ProviderReply> {
      // The client's version and beta flags (forwarded by its dialect) first; credentials win.
      const headers: Record<string, string> = { "anthropic-version": version, ...call.headers, ...fixed, accept: call.stream ? "text/event-stream" : "application/json" };
      const beta = options.headers?.["anthropic-beta"];
      const asked = call.headers["anthropic-beta"];
      if (beta !== undefined && asked !== undefined && asked !== beta) headers["anthropic-beta"] = `${asked},${beta}`;
      const url = urls[call.operation];
      if (url === undefined) throw new TypeError(`anthropic provider cannot ${call.operation}`);
      const response = await call.upstream.request(upstreamRequest(call, url, headers, call.bodyText));
      const requestId = response.header("request-id") ?? response.header("x-request-id");
      if (response.status >= 400) {
        const text = await response.text().catch(() => "");
        throw upstreamError(call.provider, { status: response.status, text, detail: parseAnthropicError(text), retryAfter: response.header("retry-after"), requestId });
      }
      if (call.stream && (response.header("content-type") ?? "").includes("text/event-stream")) {
        return { kind: "stream", status: response.status, chunks: response.chunks(), requestId };
      }
      return { kind: "json", status: response.status, text: await response.text(), requestId };
    },
  };
}
