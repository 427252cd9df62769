/**
 * Presets for servers that speak the OpenAI format: each knows its documented base URL, how it
 * takes a key, whether it serves embeddings, and which request fields it refuses (or documents as
 * having no effect). Those fields are left out of what is sent and reported in
 * `x-switchyard-dropped`, rather than failing the request upstream. Every option of `openai` is
 * accepted and wins over the preset's (a `baseURL` for a self-hosted or regional endpoint, say).
 */
import type { ProviderAdapter, ProviderCall } from "../core/provider.ts";
import { openai, type OpenAIProviderOptions } from "./openai.ts";

export type PresetOptions = OpenAIProviderOptions;

interface Preset {
  readonly kind: string;
  readonly baseURL: string;
  readonly embeddings: boolean;
  /** Request fields the server refuses or ignores, for a model. */
  readonly rejects?: (model: string) => readonly string[];
  /** OpenAI field names the server spells its own way (Mistral's `random_seed`), renamed on the way out. */
  readonly renames?: Readonly<Record<string, string>>;
  readonly streamUsage?: boolean;
  readonly reasoning?: (model: string) => boolean;
}

/** An OpenAI-format provider preset: its documented base URL and refusals, overridable by the options. */
export type PresetProvider = (options?: PresetOptions) => ProviderAdapter;

function preset(spec: Preset): PresetProvider {
  return (options = {}) => {
    const adapter = openai({ streamUsage: spec.streamUsage, reasoning: spec.reasoning, ...options, baseURL: options.baseURL ?? spec.baseURL });
    const renames = spec.renames;
    const send = renames === undefined ? adapter.send : (call: ProviderCall) => adapter.send({ ...call, bodyText: renamed(call.bodyText, renames) });
    return { ...adapter, kind: spec.kind, operations: spec.embeddings ? ["embed"] : [], rejects: spec.rejects, send };
  };
}

/**
 * `text` with the fields `renames` names under the server's own names. Only bodies that hold one
 * are parsed and re-serialised; the rest pass as they are.
 */
function renamed(text: string, renames: Readonly<Record<string, string>>): string {
  let found = false;
  for (const from in renames) if (text.includes(`"${from}"`)) found = true;
  if (!found) return text;
  const body = JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in body) {
    const to = renames[key];
    if (to !== undefined && body[to] === undefined) out[to] = body[key];
    else if (to === undefined) out[key] = body[key];
  }
  return JSON.stringify(out);
}

const none: readonly string[] = [];

const MISTRAL_REJECTS = ["logit_bias", "logprobs", "top_logprobs", "store", "metadata", "service_tier", "prompt_cache_key", "verbosity"] as const;

/**
 * Mistral (`https://api.mistral.ai/v1`, Bearer key). Its API refuses fields it does not define
 * with a 422 (`extra_forbidden`): OpenAI's `logit_bias`, `logprobs`, `top_logprobs`, `store`,
 * `metadata`, `service_tier`, `prompt_cache_key` and `verbosity` are left out, and
 * `max_completion_tokens` and `seed` are sent under Mistral's names, `max_tokens` and
 * `random_seed`. Its streams end with usage unasked, so `stream_options` is never added.
 * Embeddings at `/v1/embeddings`.
 */
export const mistral: PresetProvider = preset({
  kind: "mistral",
  baseURL: "https://api.mistral.ai/v1",
  embeddings: true,
  rejects: () => MISTRAL_REJECTS,
  renames: { max_completion_tokens: "max_tokens", seed: "random_seed" },
  streamUsage: false,
  reasoning: () => false,
});

const GROQ_REJECTS = ["logprobs", "logit_bias", "top_logprobs"] as const;

/**
 * Groq (`https://api.groq.com/openai/v1`, Bearer key). Its OpenAI compatibility page lists
 * `logprobs`, `logit_bias` and `top_logprobs` as answered with a 400; they are left out. (It also
 * refuses `messages[].name` and any `n` but 1, which it reports itself.) No embeddings.
 */
export const groq: PresetProvider = preset({ kind: "groq", baseURL: "https://api.groq.com/openai/v1", embeddings: false, rejects: () => GROQ_REJECTS });

/** Together AI (`https://api.together.xyz/v1`, Bearer key): chat completions and embeddings; no refused fields documented. */
export const together: PresetProvider = preset({ kind: "together", baseURL: "https://api.together.xyz/v1", embeddings: true });

/**
 * Fireworks AI (`https://api.fireworks.ai/inference/v1`, Bearer key): chat completions and
 * embeddings, models named `accounts/fireworks/models/…`; no refused fields documented.
 */
export const fireworks: PresetProvider = preset({ kind: "fireworks", baseURL: "https://api.fireworks.ai/inference/v1", embeddings: true });

const DEEPSEEK_REASONER_REJECTS = ["logprobs", "top_logprobs", "temperature", "top_p", "presence_penalty", "frequency_penalty"] as const;

/**
 * DeepSeek (`https://api.deepseek.com`, Bearer key). For `deepseek-reasoner` its guide says
 * `logprobs` and `top_logprobs` fail the request, and `temperature`, `top_p`, `presence_penalty`
 * and `frequency_penalty` are accepted but have no effect: all six are left out and reported.
 * No embeddings.
 */
export const deepseek: PresetProvider = preset({
  kind: "deepseek",
  baseURL: "https://api.deepseek.com",
  embeddings: false,
  rejects: (model) => (model.startsWith("deepseek-reasoner") ? DEEPSEEK_REASONER_REJECTS : none),
});

const XAI_REASONING_REJECTS = ["presence_penalty", "frequency_penalty", "stop"] as const;
const XAI_REASONING = /^grok-(?:3-mini|[4-9])/;

/**
 * xAI (`https://api.x.ai/v1`, Bearer key). Its reasoning models (Grok 3 mini and Grok 4, except
 * the `-non-reasoning` variants) refuse `presence_penalty`, `frequency_penalty` and `stop`; only
 * Grok 3 mini takes `reasoning_effort`. No embeddings.
 */
export const xai: PresetProvider = preset({
  kind: "xai",
  baseURL: "https://api.x.ai/v1",
  embeddings: false,
  rejects: (model) => (XAI_REASONING.test(model) && !model.includes("non-reasoning") ? XAI_REASONING_REJECTS : none),
  reasoning: (model) => model.startsWith("grok-3-mini"),
});

/**
 * OpenRouter (`https://openrouter.ai/api/v1`, Bearer key; set `headers` to send its optional
 * `HTTP-Referer` and `X-Title`). It passes each field on to providers that take it and ignores it
 * for others, so nothing is left out here. Models are named `vendor/model`.
 */
export const openrouter: PresetProvider = preset({ kind: "openrouter", baseURL: "https://openrouter.ai/api/v1", embeddings: false });

const OLLAMA_REJECTS = ["logit_bias", "user", "n"] as const;

/**
 * Ollama (`http://localhost:11434/v1`, no key; `https://ollama.com/v1` with one for its cloud).
 * Its OpenAI compatibility lists the fields it reads; `logit_bias`, `user` and `n` are not among
 * them and are reported as dropped. Embeddings at `/v1/embeddings`.
 */
export const ollama: PresetProvider = preset({ kind: "ollama", baseURL: "http://localhost:11434/v1", embeddings: true, rejects: () => OLLAMA_REJECTS });

/** vLLM's OpenAI-compatible server (`http://localhost:8000/v1`; a Bearer key when started with `--api-key`): chat completions and embeddings. */
export const vllm: PresetProvider = preset({ kind: "vllm", baseURL: "http://localhost:8000/v1", embeddings: true });

/** LM Studio's local server (`http://localhost:1234/v1`; a key only when its authentication is on): chat completions and embeddings. */
export const lmstudio: PresetProvider = preset({ kind: "lmstudio", baseURL: "http://localhost:1234/v1", embeddings: true });
