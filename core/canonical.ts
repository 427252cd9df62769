/**
 * The dialect-neutral form of a generation request, its answer and its stream events. A request
 * takes this form only when the client's wire format and the target's differ: each dialect parses
 * into it and encodes from it (N + M translators, never N × M). When both sides speak the same
 * format the bytes pass through and none of this is built.
 *
 * Conventions every dialect keeps:
 * - Tool results are content parts of a `user` message (as in Anthropic Messages); a dialect with
 *   a separate tool role (OpenAI chat) splits and joins them at its edge.
 * - Tool-call arguments are JSON text, as the model produced them; streams carry them in pieces.
 * - Fields a dialect cannot represent are named in `dropped` (reported to the client and the log),
 *   or refused with a 400 when dropping them would change what the request means.
 */
import type { Usage } from "./types.ts";

/** A prompt-cache breakpoint (Anthropic's `cache_control`). */
export interface CacheHint {
  readonly type: "ephemeral";
  readonly ttl?: "5m" | "1h";
}

export type MediaSource =
  | { readonly kind: "base64"; readonly mediaType: string; readonly data: string }
  | { readonly kind: "url"; readonly url: string };

export interface TextPart {
  readonly type: "text";
  readonly text: string;
  readonly cache?: CacheHint;
}

export interface ImagePart {
  readonly type: "image";
  readonly source: MediaSource;
  /** OpenAI's `detail`; other dialects ignore it. */
  readonly detail?: "auto" | "low" | "high";
  readonly cache?: CacheHint;
}

/** A file the model reads (a PDF, a plain-text document). */
export interface DocumentPart {
  readonly type: "document";
  readonly source: MediaSource;
  readonly filename?: string;
  readonly title?: string;
  readonly cache?: CacheHint;
}

export interface ToolCallPart {
  readonly type: "tool_call";
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text (an object). */
  readonly arguments: string;
  readonly cache?: CacheHint;
}

export interface ToolResultPart {
  readonly type: "tool_result";
  /** The `id` of the tool call this answers. */
  readonly callId: string;
  readonly content: readonly (TextPart | ImagePart)[];
  readonly isError: boolean;
  readonly cache?: CacheHint;
}

export interface ThinkingPart {
  readonly type: "thinking";
  readonly text: string;
  /** Anthropic's signature, which must come back unchanged on the next turn; null elsewhere. */
  readonly signature: string | null;
}

export interface RedactedThinkingPart {
  readonly type: "redacted_thinking";
  readonly data: string;
}

export type ContentPart = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ThinkingPart | RedactedThinkingPart;

/**
 * One turn. A `system` message is an instruction given mid-conversation, kept in its place (Claude
 * Code sends them; OpenAI chat takes them anywhere); it holds text parts only. Instructions before
 * the first turn are the request's `system` instead.
 */
export interface CanonicalMessage {
  readonly role: "user" | "assistant" | "system";
  readonly content: readonly ContentPart[];
}

export interface CanonicalTool {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
  readonly cache?: CacheHint;
}

export type ToolChoice =
  | { readonly type: "auto" }
  | { readonly type: "none" }
  /** Some tool must be called (OpenAI `required`, Anthropic `any`). */
  | { readonly type: "required" }
  | { readonly type: "tool"; readonly name: string };

export type ResponseFormat =
  | { readonly type: "text" }
  | { readonly type: "json_object" }
  | {
    readonly type: "json_schema";
    readonly name: string;
    readonly schema: Readonly<Record<string, unknown>>;
    readonly strict?: boolean;
    readonly description?: string;
  };

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

/** How much the model may think before answering; either field may be set, or both. */
export interface Reasoning {
  readonly effort?: ReasoningEffort;
  /** A token budget for thinking (Anthropic `budget_tokens`). */
  readonly budgetTokens?: number;
  /** Thinking asked to be off (Anthropic `{ type: "disabled" }`, OpenAI `reasoning_effort: "none"`). */
  readonly disabled?: boolean;
}

export interface CanonicalRequest {
  /** The target's model id. */
  readonly model: string;
  /** System instructions, in order; empty when none. */
  readonly system: readonly TextPart[];
  readonly messages: readonly CanonicalMessage[];
  /** Function tools; empty when none. */
  readonly tools: readonly CanonicalTool[];
  readonly toolChoice: ToolChoice | null;
  /** false: at most one tool call per turn. null: the target's default. */
  readonly parallelToolCalls: boolean | null;
  readonly maxTokens: number | null;
  readonly temperature: number | null;
  readonly topP: number | null;
  readonly topK: number | null;
  readonly stop: readonly string[];
  readonly seed: number | null;
  readonly frequencyPenalty: number | null;
  readonly presencePenalty: number | null;
  readonly responseFormat: ResponseFormat | null;
  readonly reasoning: Reasoning | null;
  readonly stream: boolean;
  /** An end-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly user: string | null;
  /** Client fields that have no neutral form: reported as dropped when the request is translated. */
  readonly dropped: readonly string[];
}

/**
 * Why generation ended. `stop_sequence` refines `stop` where the source says which sequence matched;
 * `pause` is a turn the server paused (Anthropic `pause_turn`).
 */
export type FinishReason = "stop" | "stop_sequence" | "length" | "tool_calls" | "content_filter" | "pause" | "context_window" | "other";

export interface CanonicalResponse {
  readonly id: string;
  /** The model that answered, as the upstream names it. */
  readonly model: string;
  /** Unix seconds. */
  readonly created: number;
  /** Text, tool calls and thinking, in the order the model produced them. */
  readonly content: readonly (TextPart | ToolCallPart | ThinkingPart | RedactedThinkingPart)[];
  readonly finish: FinishReason;
  /** The stop sequence that ended generation, when the upstream says. */
  readonly stopSequence: string | null;
  readonly usage: Usage | null;
}

/** A content block as a stream opens it. */
export type StreamBlock =
  | { readonly type: "text" }
  | { readonly type: "tool_call"; readonly id: string; readonly name: string }
  | { readonly type: "thinking" }
  | { readonly type: "redacted_thinking"; readonly data: string };

/**
 * One event of a translated stream. Blocks are numbered from 0 in the order they open; at most one
 * is open at a time in a well-formed stream. `usage` events are cumulative (each replaces the last).
 * A decoder ends every upstream stream that finished cleanly with `done`; an upstream that reports
 * a failure mid-stream yields `error`.
 */
export type StreamEvent =
  | { readonly type: "start"; readonly id: string; readonly model: string; readonly usage: Usage | null }
  | { readonly type: "block_start"; readonly index: number; readonly block: StreamBlock }
  | { readonly type: "text"; readonly index: number; readonly text: string }
  | { readonly type: "tool_args"; readonly index: number; readonly json: string }
  | { readonly type: "thinking"; readonly index: number; readonly text: string }
  | { readonly type: "signature"; readonly index: number; readonly signature: string }
  | { readonly type: "block_stop"; readonly index: number }
  | { readonly type: "finish"; readonly reason: FinishReason; readonly stopSequence: string | null }
  | { readonly type: "usage"; readonly usage: Usage }
  | { readonly type: "error"; readonly error: { readonly type: string; readonly message: string } }
  | { readonly type: "ping" }
  | { readonly type: "done" };
