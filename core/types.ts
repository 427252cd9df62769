import type { FaultClass } from "./errors.ts";
import type { Limits } from "./key-store.ts";

/**
 * A wire format a client speaks or a provider natively serves: `openai` (chat completions and
 * embeddings), `anthropic` (Messages), `responses` (the OpenAI Responses API), `gemini` (the Gemini API). Community dialects
 * add their own names.
 */
export type WireFormat = "openai" | "anthropic" | "responses" | "gemini" | (string & {});

/**
 * Which HTTP surface a request came in on: `chat` (OpenAI chat completions), `embeddings`,
 * `models`, `messages` (Anthropic Messages), `count_tokens` (Anthropic token counting),
 * `responses` (the OpenAI Responses API), and Gemini's `gemini` (generateContent and
 * streamGenerateContent), `gemini_count_tokens` and `gemini_embed` (embedContent, batchEmbedContents).
 */
export type Surface = "chat" | "embeddings" | "models" | "messages" | "count_tokens" | "responses" | "gemini" | "gemini_count_tokens" | "gemini_embed";

/** What a surface asks a provider to do. */
export type Operation = "generate" | "embed" | "count_tokens";

/** Upstream time limits, in milliseconds, per provider and per target (a target's win). */
export interface Timeouts {
  /**
   * Until the TCP/TLS connection is up. Enforced by upstream clients that see the connect phase
   * (the Node one, where undici times it to about a second); `fetch`-based clients cannot.
   */
  connectMs?: number;
  /** Until the upstream's response headers arrive. */
  firstByteMs?: number;
  /** Longest quiet gap between two chunks of a stream. */
  idleMs?: number;
  /** The whole attempt, body included. */
  totalMs?: number;
}

/** One concrete place a request can be sent: a configured provider and its model id. */
export interface Target {
  readonly provider: string;
  readonly model: string;
  readonly weight?: number;
  /** Where the target runs (`eu`, `us-east` …), for regional routing. */
  readonly region?: string;
  /** Overrides the provider's timeouts for this target, field by field. */
  readonly timeouts?: Timeouts;
}

/** Who is calling, as established by an auth plugin. Never holds the secret itself. */
export interface Principal {
  readonly id: string;
  readonly team?: string;
  readonly tags?: readonly string[];
  /** The key's home region: regional routing sends its requests there. */
  readonly region?: string;
  /** Regions the caller may pick per request (a header); default: only `region`, or any without one. */
  readonly regions?: readonly string[];
  /** Free-form labels from the key's configuration (owner, cost centre …), for plugins and logs. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The key's own limits and budget: `per: "key"` rate limits and budgets use them over their defaults. */
  readonly limits?: Limits;
  /** The key's team's limits and budget, over the defaults of `per: "team"` rate limits and budgets. */
  readonly teamLimits?: Limits;
}

/**
 * Token usage, normalised across providers the way OpenAI counts it: input includes cached and
 * cache-write tokens (Anthropic reports those apart from `input_tokens`; its dialect adds them).
 */
export interface Usage {
  /** All input tokens, cached and cache-written ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  /** All output tokens, reasoning ones included (OpenAI's `completion_tokens`). */
  outputTokens: number;
  totalTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cachedTokens: number;
  /** The part of `inputTokens` written to the provider's prompt cache (Anthropic bills it apart). */
  cacheWriteTokens: number;
  /** The part of `outputTokens` spent on reasoning. */
  reasoningTokens: number;
}

/** `skipped`: an `onAttempt` hook passed the target over (an open circuit); nothing was sent. */
export type AttemptOutcome = "pending" | "ok" | "error" | "skipped";

/** One try of one target. The log record lists each of these. */
export interface Attempt {
  readonly index: number;
  readonly target: Target;
  /** ms since the request started */
  readonly startedAt: number;
  outcome: AttemptOutcome;
  status: number;
  /** ms from attempt start to upstream response headers */
  firstByteMs: number;
  durationMs: number;
  errorCode: string | null;
  fault: FaultClass | null;
  /** Headers a plugin wants sent upstream on this attempt only. */
  readonly headers: Record<string, string>;
}

/** What `onAttemptError` may decide. The first decision wins; no decision means fail. */
export type AttemptDecision =
  | { action: "retry"; delayMs?: number }
  | { action: "next" }
  | { action: "fail" };

/** One row of `GET /v1/models`. */
export interface ModelEntry {
  id: string;
  owned_by: string;
}
