import type { ProviderAdapter, ProviderReply, Timeouts } from "../core/provider.ts";
import { OPENAI_TRANSPORT, presetHeaders, sendOpenAIFormat } from "./openai-transport.ts";

export interface OpenAIProviderOptions {
  /** Default `https://api.openai.com/v1`. Any OpenAI-compatible server works (vLLM, Ollama, Groq …). */
  baseURL?: string;
  /** Sent as `Authorization: Bearer`. Omit for servers that need none. */
  apiKey?: string;
  /** Extra headers on every upstream request (`OpenAI-Organization`, `OpenAI-Project`, …). */
  headers?: Record<string, string>;
  /** Model ids to list under this provider in `GET /v1/models`. */
  models?: string[];
  timeouts?: Timeouts;
  /**
   * Whether a model takes `reasoning_effort` (a boolean for all of them, or a test per model id).
   * Default: OpenAI's reasoning families by name (o-series, gpt-5 and later, gpt-oss) and
   * DeepSeek's reasoner. Requests translated from another format drop their reasoning settings
   * for other models (and say so in `x-switchyard-dropped`) rather than have them refused.
   */
  reasoning?: boolean | ((model: string) => boolean);
  /** The most output tokens its models take; a translated request asking for more is lowered to it. */
  maxOutputTokens?: number;
  /**
   * Whether the gateway may add `stream_options.include_usage` to streams to learn usage.
   * Default true; turn off for servers that reject the field.
   */
  streamUsage?: boolean;
  /**
   * How `/v1/responses` requests reach this server. `"native"`: passed through to its own
   * `/responses` (so `previous_response_id`, `store` and built-in tools keep working);
   * `"translate"`: translated to chat completions, statelessly. Default: native for OpenAI's own
   * base URL, translated for any other (most OpenAI-compatible servers speak only chat completions).
   */
  responses?: "native" | "translate";
}

const OFFICIAL_BASE_URL = "https://api.openai.com/v1";
const PATHS = { generate: "/chat/completions", embed: "/embeddings", responses: "/responses" } as const;

/** Model families that take `reasoning_effort`, by name. */
export const REASONING_MODELS = /^(?:o\d|gpt-(?:[5-9]|\d{2,})|gpt-oss|deepseek-reasoner)/i;

/** The `reasoning` option as the adapter's test: a fixed answer, the user's test, or the names of reasoning families. */
export function reasoningTest(option: boolean | ((model: string) => boolean) | undefined): (model: string) => boolean {
  if (typeof option === "function") return option;
  if (typeof option === "boolean") return () => option;
  return (model) => REASONING_MODELS.test(model);
}

/** What every OpenAI-format adapter declares, from the options it shares with `openai`. */
export function openaiFormatFields(options: Pick<OpenAIProviderOptions, "models" | "timeouts" | "reasoning" | "maxOutputTokens" | "streamUsage">) {
  return {
    format: "openai",
    operations: ["embed"],
    models: options.models,
    timeouts: options.timeouts,
    streamUsage: options.streamUsage ?? true,
    maxOutputTokens: options.maxOutputTokens,
    reasoning: reasoningTest(options.reasoning),
  } as const satisfies Partial<ProviderAdapter>;
}

/**
 * The OpenAI wire format to any base URL: chat completions (`generate`) and embeddings (`embed`).
 * Bodies from OpenAI clients pass through both ways untouched; other dialects are translated.
 */
export function openai(options: OpenAIProviderOptions = {}): ProviderAdapter {
  const base = (options.baseURL ?? OFFICIAL_BASE_URL).replace(/\/+$/, "");
  const urls: Readonly<Record<string, string>> = { generate: base + PATHS.generate, embed: base + PATHS.embed };
  const responsesUrl = base + PATHS.responses;
  const nativeResponses = (options.responses ?? (base === OFFICIAL_BASE_URL ? "native" : "translate")) === "native";
  const credentials: Record<string, string> = { ...options.headers };
  if (options.apiKey) credentials.authorization = `Bearer ${options.apiKey}`;
  const fixed = presetHeaders(credentials);

  return {
    kind: "openai",
    ...openaiFormatFields(options),
    formats: nativeResponses ? ["responses"] : undefined,
    send: (call): Promise<ProviderReply> => sendOpenAIFormat(call, call.format === "responses" ? responsesUrl : urls[call.operation], fixed, OPENAI_TRANSPORT),
  };
}
