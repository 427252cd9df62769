import type { AbortWatch } from "./abort-watch.ts";
import type { Dialect } from "./dialect.ts";
import type { UpstreamClient } from "./upstream.ts";
import type { Operation, Timeouts, WireFormat } from "./types.ts";

export type { Timeouts } from "./types.ts";

/** What the gateway asks a provider adapter to do for one attempt. */
export interface ProviderCall {
  /** The provider's configured name, for error messages. */
  readonly provider: string;
  readonly operation: Operation;
  /**
   * The wire format of `bodyText`: the provider's `format`, or one of its other native `formats`
   * when the client speaks that one (the Responses API on OpenAI).
   */
  readonly format: WireFormat;
  /** The provider's own model id for this target. */
  readonly model: string;
  /**
   * The request body in the provider's own wire format (`format`), serialised with `model` set:
   * the client's bytes when the client speaks that format too, a translation otherwise.
   */
  readonly bodyText: string;
  readonly stream: boolean;
  /**
   * Headers for the upstream request: those plugins set for this attempt, and the client headers
   * its dialect forwards to a same-format upstream (`anthropic-beta` …). The adapter's own
   * credentials and fixed headers are its to add, and win.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Fires when the attempt must stop (the client left, a timeout ran out). Made on first read. */
  readonly signal: AbortSignal;
  /**
   * The same abort as `signal` in its light form (core/abort-watch.ts): pass it on as
   * `UpstreamRequest.watch` (`upstreamRequest` does) so no AbortSignal is made for the call.
   * The gateway always sets it; a call built by hand (a test) may leave it out.
   */
  readonly watch?: AbortWatch;
  /** Pass on to `UpstreamRequest.connectTimeoutMs`; the signal covers every other limit. */
  readonly connectTimeoutMs: number | undefined;
  readonly upstream: UpstreamClient;
}

/**
 * A provider's answer in its own wire format. JSON arrives whole; a stream arrives as raw event
 * bytes, which the gateway passes through, or translates event by event for a client of another
 * format.
 */
export type ProviderReply =
  | { readonly kind: "json"; readonly status: number; readonly text: string; readonly requestId: string | null }
  | { readonly kind: "stream"; readonly status: number; readonly chunks: AsyncIterable<Uint8Array>; readonly requestId: string | null };

/**
 * The provider adapter contract: a transport (URL scheme, auth, signing, the upstream client)
 * plus the dialect it speaks natively. An adapter turns a call into an upstream request and the
 * upstream answer into a reply, and maps upstream failures to a `GatewayError` with a fault class
 * and a retryable flag (`upstreamError` builds one from the provider dialect's error body).
 * `providerConformance` in `switchyard/testing` checks an adapter against the contract (docs/providers.md).
 */
export interface ProviderAdapter {
  /** The adapter kind, such as `openai`, `anthropic` or `mock`. */
  readonly kind: string;
  /** The wire format of its generation endpoint (`generate`). */
  readonly format: WireFormat;
  /**
   * The dialect of `format`, for a format the gateway has none built in for (a community format,
   * Bedrock Converse): requests are translated through it. Built-in formats need none.
   */
  readonly dialect?: Dialect;
  /**
   * Other wire formats it serves natively for `generate` (default: none): a client speaking one of
   * them passes through to it untranslated, and `ProviderCall.format` says which one a call is in.
   */
  readonly formats?: readonly WireFormat[];
  /**
   * Operations besides `generate` it serves natively (default: none). `embed` takes OpenAI
   * embeddings bodies (`ProviderCall.format` "openai") and, when the provider's own format has
   * embeddings (Gemini), that format's; `count_tokens` takes the provider format's token-counting body.
   */
  readonly operations?: readonly Operation[];
  /** Model ids this provider is known to serve; listed as `<provider>/<model>` by `GET /v1/models`. */
  readonly models?: readonly string[];
  readonly timeouts?: Timeouts;
  /** Whether the gateway may ask for usage in streams where the format makes it optional. Default true. */
  readonly streamUsage?: boolean;
  /** `max_tokens` for translated requests that set none, where the format requires one. */
  readonly defaultMaxTokens?: number;
  /**
   * The most output tokens its models take. A translated request asking for more (Claude Code
   * asks for 64 000) is lowered to it, and the lowering reported as dropped.
   */
  readonly maxOutputTokens?: number;
  /**
   * Whether `model` takes reasoning controls (an effort or a thinking budget). When it does not,
   * a translated request's reasoning settings are left out and reported, rather than refused
   * upstream. Default: every model does.
   */
  reasoning?(model: string): boolean;
  /**
   * Top-level fields of a request in its own format (`format`) that the upstream refuses, or
   * silently ignores, for `model` (Groq's `logprobs`, a reasoning model's `stop` …). They are left
   * out of what is sent, passed-through bodies included, and reported as dropped. Default: none.
   */
  rejects?(model: string): readonly string[];
  send(call: ProviderCall): Promise<ProviderReply>;
  close?(): Promise<void>;
}
