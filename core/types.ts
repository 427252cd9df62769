import type { FaultClass } from "./errors.ts";

/** The wire format a client speaks or a provider natively serves. */
export type WireFormat = "openai" | "anthropic";

/** Which HTTP surface a request came in on. */
export type Surface = "chat" | "embeddings" | "models";

/** One concrete place a request can be sent: a configured provider and its model id. */
export interface Target {
  readonly provider: string;
  readonly model: string;
  readonly weight?: number;
}

/** Who is calling, as established by an auth plugin. Never holds the secret itself. */
export interface Principal {
  readonly id: string;
  readonly team?: string;
  readonly tags?: readonly string[];
  /** Free-form labels from the key's configuration (owner, cost centre …), for plugins and logs. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Token usage, normalised across providers. */
export interface Usage {
  /** All input tokens, cached ones included (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  /** All output tokens, reasoning ones included (OpenAI's `completion_tokens`). */
  outputTokens: number;
  totalTokens: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cachedTokens: number;
  /** The part of `outputTokens` spent on reasoning. */
  reasoningTokens: number;
}

export type AttemptOutcome = "pending" | "ok" | "error";

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
