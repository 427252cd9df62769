import type { ProviderAdapter, ProviderReply, Timeouts } from "../core/provider.ts";
import { upstreamError } from "../core/upstream-errors.ts";
import { parseAnthropicError } from "../dialects/anthropic/errors.ts";

export interface AnthropicProviderOptions {
  /** Sent as `x-api-key`. Omit for servers that need none. */
  apiKey?: string;
  /** Default `https://api.anthropic.com/v1`. Any Anthropic-compatible server works. */
  baseURL?: string;
  /** `anthropic-version` when the client sent none (a client's own version is passed on). Default `2023-06-01`. */
  version?: string;
  /** Extra headers on every upstream request (an `anthropic-beta` the deployment always wants …). */
  headers?: Record<string, string>;
  /** Model ids to list under this provider in `GET /v1/models`. */
  models?: string[];
  timeouts?: Timeouts;
  /** `max_tokens` for requests translated from a format that does not require one. Default 8192. */
  defaultMaxTokens?: number;
  /** The most output tokens its models take; a translated request asking for more is lowered to it. */
  maxOutputTokens?: number;
  /**
   * Whether a model takes reasoning controls (`thinking`, `output_config.effort`), for requests
   * translated from another format. Default: every model but the Claude 3 family before 3.7.
   */
  reasoning?: boolean | ((model: string) => boolean);
}

/** Claude models from before extended thinking. */
const NO_THINKING = /^claude-3-(?!7)/i;

const PATHS = { generate: "/messages", count_tokens: "/messages/count_tokens" } as const;

function joinBetas(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined || a.length === 0) return b;
  if (b === undefined || b.length === 0) return a;
  return `${a},${b}`;
}

/**
 * Anthropic Messages at any base URL: `POST /messages` (JSON and SSE) and `/messages/count_tokens`.
 * Bodies from Anthropic clients pass through untouched; other formats are translated.
 */
export function anthropic(options: AnthropicProviderOptions = {}): ProviderAdapter {
  const base = (options.baseURL ?? "https://api.anthropic.com/v1").replace(/\/+$/, "");
  const urls: Readonly<Record<string, string>> = { generate: base + PATHS.generate, count_tokens: base + PATHS.count_tokens };
  const version = options.version ?? "2023-06-01";
  const configured: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) configured[name.toLowerCase()] = value;
  const fixed: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) fixed["x-api-key"] = options.apiKey;
  const reasoning = options.reasoning;

  const preset = (accept: string): Record<string, string> => ({ ...configured, ...fixed, accept, "anthropic-version": configured["anthropic-version"] ?? version });
  const jsonHeaders = preset("application/json");
  const streamHeaders = preset("text/event-stream");

  function headersFor(call: { stream: boolean; headers: Readonly<Record<string, string>> }): Record<string, string> {
    const base = call.stream ? streamHeaders : jsonHeaders;
    let extra = false;
    for (const _ in call.headers) {
      extra = true;
      break;
    }
    if (!extra) return base;
    const headers: Record<string, string> = { ...configured, ...call.headers, ...fixed, accept: base.accept };
    // The client's version and betas describe the body it wrote, so they are passed on; betas the
    // deployment configures are added to the client's rather than replaced by them.
    headers["anthropic-version"] = call.headers["anthropic-version"] ?? base["anthropic-version"];
    const betas = joinBetas(configured["anthropic-beta"], call.headers["anthropic-beta"]);
    if (betas !== undefined) headers["anthropic-beta"] = betas;
    return headers;
  }

  return {
    kind: "anthropic",
    format: "anthropic",
    operations: ["count_tokens"],
    models: options.models,
    timeouts: options.timeouts,
    // Anthropic streams always report usage; there is nothing to ask for.
    streamUsage: false,
    defaultMaxTokens: options.defaultMaxTokens,
    maxOutputTokens: options.maxOutputTokens,
    reasoning: typeof reasoning === "function" ? reasoning : typeof reasoning === "boolean" ? () => reasoning : (model) => !NO_THINKING.test(model),
    async send(call): Promise<ProviderReply> {
      const url = urls[call.operation];
      if (url === undefined) throw new TypeError(`the anthropic provider does not serve "${call.operation}"`);
      const response = await call.upstream.request({
        url,
        method: "POST",
        headers: headersFor(call),
        body: call.bodyText,
        signal: call.signal,
        connectTimeoutMs: call.connectTimeoutMs,
      });
      const requestId = response.header("request-id");
      if (response.status >= 400) {
        const text = await response.text().catch(() => "");
        // 429 and 529 (overloaded) come back retryable with their retry-after; other 4xx are the client's.
        throw upstreamError(call.provider, {
          status: response.status,
          text,
          detail: parseAnthropicError(text),
          retryAfter: response.header("retry-after"),
          requestId,
        });
      }
      if (call.stream && (response.header("content-type") ?? "").includes("text/event-stream")) {
        return { kind: "stream", status: response.status, chunks: response.chunks(), requestId };
      }
      return { kind: "json", status: response.status, text: await response.text(), requestId };
    },
  };
}
