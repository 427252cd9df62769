import type { ProviderCall, ProviderReply } from "../core/provider.ts";
import type { UpstreamErrorDetail } from "../core/dialect.ts";
import { upstreamError } from "../core/upstream-errors.ts";
import { upstreamRequest } from "../core/upstream.ts";
import { parseOpenAIError } from "../dialects/openai/errors.ts";

/** How one OpenAI-format server is reached: where its request ids are and how its error bodies read. */
export interface OpenAITransport {
  /** Response headers holding the server's request id, first found wins. */
  readonly requestIdHeaders: readonly string[];
  readonly parseError: (text: string) => UpstreamErrorDetail | null;
}

export const OPENAI_TRANSPORT: OpenAITransport = { requestIdHeaders: ["x-request-id"], parseError: parseOpenAIError };

/** Fixed request headers for JSON and for event-stream answers, built once per provider. */
export function presetHeaders(common: Readonly<Record<string, string>>): { json: Record<string, string>; stream: Record<string, string> } {
  const base = { "content-type": "application/json", ...common };
  return { json: { ...base, accept: "application/json" }, stream: { ...base, accept: "text/event-stream" } };
}

function hasAny(extra: Readonly<Record<string, string>>): boolean {
  for (const _ in extra) return true;
  return false;
}

/**
 * One call to an OpenAI-format endpoint (chat completions, embeddings, responses): POST the body,
 * map a failure to a classified `GatewayError`, hand back JSON or the SSE bytes. Headers plugins
 * set come first; `fixed` (the provider's credentials) wins.
 */
export async function sendOpenAIFormat(call: ProviderCall, url: string, fixed: { json: Record<string, string>; stream: Record<string, string> }, transport: OpenAITransport): Promise<ProviderReply> {
  const preset = call.stream ? fixed.stream : fixed.json;
  const headers = hasAny(call.headers) ? { ...call.headers, ...preset } : preset;
  const response = await call.upstream.request(upstreamRequest(call, url, headers, call.bodyText));
  let requestId: string | null = null;
  for (const name of transport.requestIdHeaders) if ((requestId = response.header(name)) !== null) break;
  if (response.status >= 400) {
    const text = await response.text().catch(() => "");
    throw upstreamError(call.provider, {
      status: response.status,
      text,
      detail: transport.parseError(text),
      retryAfter: response.header("retry-after"),
      retryAfterMs: response.header("retry-after-ms"),
      requestId,
    });
  }
  if (call.stream && (response.header("content-type") ?? "").includes("text/event-stream")) {
    return { kind: "stream", status: response.status, chunks: response.chunks(), requestId };
  }
  return { kind: "json", status: response.status, text: await response.text(), requestId };
}
