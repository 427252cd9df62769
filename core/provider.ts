import type { UpstreamClient } from "./upstream.ts";
import type { Timeouts, WireFormat } from "./types.ts";

export type { Timeouts } from "./types.ts";

/** What the gateway asks a provider adapter to do for one attempt. */
export interface ProviderCall {
  /** The provider's configured name, for error messages. */
  readonly provider: string;
  readonly surface: "chat" | "embeddings";
  /** The provider's own model id for this target. */
  readonly model: string;
  /** The request body in the client's wire format, already serialised with `model` set. */
  readonly bodyText: string;
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  /** Extra upstream headers set by plugins for this attempt. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Pass on to `UpstreamRequest.connectTimeoutMs`; the signal covers every other limit. */
  readonly connectTimeoutMs: number | undefined;
  readonly upstream: UpstreamClient;
}

/**
 * A provider's answer in the client's wire format. JSON arrives whole; a stream arrives as raw
 * SSE bytes that the gateway passes through chunk by chunk.
 */
export type ProviderReply =
  | { readonly kind: "json"; readonly status: number; readonly text: string; readonly requestId: string | null }
  | { readonly kind: "stream"; readonly status: number; readonly chunks: AsyncIterable<Uint8Array>; readonly requestId: string | null };

/**
 * The provider adapter contract. An adapter declares its native wire format, turns a call into an
 * upstream request and the upstream answer into a reply, and maps upstream failures to a
 * `GatewayError` with a fault class and a retryable flag (see `upstreamError`).
 */
export interface ProviderAdapter {
  /** The adapter kind, such as `openai` or `mock`. */
  readonly kind: string;
  readonly format: WireFormat;
  /** Model ids this provider is known to serve; listed as `<provider>/<model>` by `GET /v1/models`. */
  readonly models?: readonly string[];
  readonly timeouts?: Timeouts;
  /** Whether the gateway may ask for usage in streams (`stream_options.include_usage`). Default true. */
  readonly streamUsage?: boolean;
  send(call: ProviderCall): Promise<ProviderReply>;
  close?(): Promise<void>;
}
