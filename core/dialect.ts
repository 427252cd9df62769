/**
 * The dialect contract: everything the gateway needs to know about one wire format, for both of
 * its roles. As the client's format (ingress) a dialect validates requests, parses them into the
 * neutral form when they must be translated, and encodes answers, stream events and errors the
 * way that client expects. As a provider's format (egress) it encodes neutral requests, parses
 * answers, streams and error bodies. For bodies that pass through untouched it reads usage
 * without re-serialising anything.
 *
 * A dialect is pure, web-standard code with no I/O; `dialectConformance` in `switchyard/testing`
 * checks one against recorded transcripts.
 */
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from "./canonical.ts";
import type { RequestBody } from "./context.ts";
import type { GatewayError } from "./errors.ts";
import type { ModelEntry, Usage, WireFormat } from "./types.ts";

/** Turns an upstream event stream, as bytes, into neutral events. One per stream. */
export interface StreamDecoder {
  /** Bytes in; the events completed by them out (often none: events may span chunks). */
  push(chunk: Uint8Array): StreamEvent[];
  /** The upstream body ended: whatever is left, and `done` if the stream finished properly. */
  end(): StreamEvent[];
}

/** Turns neutral events into the client's event stream text. One per stream. */
export interface StreamEncoder {
  /** One event in; its text in the client's format out ("" when it has none). */
  encode(event: StreamEvent): string;
  /** The stream ends cleanly: closing text (OpenAI's `data: [DONE]`), or "". */
  end(): string;
  /** The stream ends with a failure: an error event in the client's format. */
  error(error: GatewayError): string;
}

/**
 * Watches a same-dialect stream go by. It forwards the bytes it is given (or a rewritten chunk,
 * or nothing) and picks up usage and upstream error events on the way.
 */
export interface StreamScanner {
  push(chunk: Uint8Array): Uint8Array | null;
  end(): Uint8Array | null;
  /** Usage so far (cumulative), or null when the stream carried none. */
  readonly usage: Usage | null;
  /** An error event the upstream sent mid-stream, if any. */
  readonly upstreamError: { readonly type: string; readonly message: string } | null;
}

/** What an upstream error body says, in neutral terms; every field may be missing. */
export interface UpstreamErrorDetail {
  readonly type: string | null;
  readonly message: string | null;
  readonly code: string | null;
  readonly param: string | null;
}

/** An error as a client of this dialect receives it. */
export interface RenderedError {
  readonly status: number;
  readonly body: string;
}

/** A request encoded for a provider, and the fields it could not carry. */
export interface EncodedRequest {
  readonly body: RequestBody;
  readonly dropped: readonly string[];
}

export interface EncodeOptions {
  /** The target's model id. */
  readonly model: string;
  /** Ask the upstream to report usage in streams where the format makes that optional. */
  readonly streamUsage: boolean;
  /** The provider's `max_tokens` for formats that require one, when the request sets none. */
  readonly defaultMaxTokens?: number;
}

export interface Dialect {
  readonly id: WireFormat;
  /** For messages: "OpenAI chat completions", "Anthropic Messages". */
  readonly label: string;

  // ── ingress: the client speaks this dialect ──────────────────────────────────────────────────
  /**
   * Check what the gateway relies on (model, messages, stream flag) and throw a 400
   * `GatewayError` naming the field otherwise. Everything else is the upstream's to judge.
   */
  validate(body: RequestBody): void;
  /** The model and stream flag of a validated body. */
  model(body: RequestBody): string;
  stream(body: RequestBody): boolean;
  /** The request in neutral form, for a target that speaks another dialect. May throw a 400. */
  parseRequest(body: RequestBody): CanonicalRequest;
  /** A whole answer for this dialect's client. `body` is the client's own request. */
  encodeResponse(response: CanonicalResponse, body: RequestBody): string;
  streamEncoder(body: RequestBody): StreamEncoder;
  /**
   * `requestId` is the gateway's id for the request (also its `x-request-id`), for formats whose
   * error bodies carry one (Anthropic's `request_id`).
   */
  renderError(error: GatewayError, requestId?: string): RenderedError;
  /** A rough count of the request's input tokens, before any upstream sees it (limits, budgets). */
  estimateInputTokens(body: RequestBody): number;
  /** The most output tokens the request lets the model produce (`max_tokens` …), or null when it sets none. */
  maxOutputTokens(body: RequestBody): number | null;
  /** `GET /v1/models` for this dialect's clients: the list, or the one model `only` names (it is known to exist). */
  encodeModels(models: readonly ModelEntry[], only: string | null, createdAt: number): string;
  /**
   * For formats that name the model and the method in the URL rather than the body (Gemini): the
   * parsed body with them bound in, as `model`, `stream` and the rest of this dialect read them.
   * The surface calls it before validation; absent for formats that carry both in the body.
   */
  bindRoute?(body: RequestBody, model: string, stream: boolean): RequestBody;
  /** Client headers forwarded to an upstream of the same dialect (`anthropic-beta` …), lowercase. */
  readonly forwardHeaders: readonly string[];

  // ── egress: the provider speaks this dialect ─────────────────────────────────────────────────
  /** May throw a 400 `GatewayError` when the target cannot honour what the request means. */
  encodeRequest(request: CanonicalRequest, options: EncodeOptions): EncodedRequest;
  /**
   * `model` is the target's model id, for formats whose answers do not name the model (Bedrock
   * Converse); formats that do name it ignore it.
   */
  parseResponse(text: string, model?: string): CanonicalResponse;
  streamDecoder(model?: string): StreamDecoder;
  parseError(text: string): UpstreamErrorDetail | null;

  // ── pass-through: both sides speak it ────────────────────────────────────────────────────────
  /** Usage from a whole answer's text, read without parsing the whole of it. */
  usageOf(text: string): Usage | null;
  /**
   * A scanner for a pass-through stream. `stripUsage`: the gateway asked for usage the client
   * did not, so events that carry only usage are dropped on the way.
   */
  scanner(stripUsage: boolean): StreamScanner;
  /**
   * The body to send a same-dialect upstream, from the client's exact text: only the model and,
   * with `streamUsage`, the stream-usage option change, spliced into the text (key order, unknown
   * fields and number spellings survive). Returns the client's text itself when nothing changes.
   */
  passthroughBody(text: string, body: RequestBody, options: EncodeOptions): string;
  /** Whether `passthroughBody` with `streamUsage` adds usage the client did not ask for. */
  addsStreamUsage(body: RequestBody): boolean;
}
