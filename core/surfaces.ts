/**
 * The HTTP surfaces that take a request body, each bound to the dialect its clients speak and the
 * operation it asks of a provider. The router serves each at its path; the pipeline reads
 * everything dialect-specific (validation, model, stream flag, estimates, error shape) from here.
 */
import type { RequestBody, SurfaceInfo } from "./context.ts";
import type { Dialect } from "./dialect.ts";
import type { Operation, Surface } from "./types.ts";
import { estimateEmbeddingsInputTokens, openai, validateEmbeddingsRequest } from "../dialects/openai/index.ts";
import { anthropic, estimateAnthropicInputTokens, validateCountTokensRequest } from "../dialects/anthropic/index.ts";
import { responses } from "../dialects/responses/index.ts";
import { gemini } from "../dialects/gemini/index.ts";

export interface SurfaceSpec extends SurfaceInfo {
  readonly path: string;
  readonly operation: Operation;
  validate(body: RequestBody): void;
  model(body: RequestBody): string;
  stream(body: RequestBody): boolean;
  /** For `count_tokens` surfaces: the answer, in this dialect, for a count the gateway estimated itself. */
  tokenCount?(inputTokens: number): string;
}

/** A generation surface: everything comes from its dialect. */
export function generationSurface(name: Surface, path: string, dialect: Dialect): SurfaceSpec {
  return {
    name,
    path,
    dialect,
    operation: "generate",
    validate: dialect.validate,
    model: dialect.model,
    stream: dialect.stream,
    estimateInputTokens: dialect.estimateInputTokens,
    maxOutputTokens: dialect.maxOutputTokens,
  };
}

const embeddings: SurfaceSpec = {
  name: "embeddings",
  path: "/v1/embeddings",
  dialect: openai,
  operation: "embed",
  validate: validateEmbeddingsRequest,
  model: (body) => body.model as string,
  stream: () => false,
  estimateInputTokens: estimateEmbeddingsInputTokens,
  maxOutputTokens: () => null,
};

/** `GET /v1/models` has no body and asks no provider for anything. */
export const MODELS_SURFACE: SurfaceInfo = {
  name: "models",
  dialect: openai,
  operation: null,
  estimateInputTokens: () => 0,
  maxOutputTokens: () => null,
};

/** The same list for Anthropic clients, which say who they are with `anthropic-version`. */
const ANTHROPIC_MODELS_SURFACE: SurfaceInfo = { ...MODELS_SURFACE, dialect: anthropic };

/** Which dialect a `GET /v1/models` speaks: both OpenAI and Anthropic clients ask that path. */
export function modelsSurfaceFor(headers: Headers): SurfaceInfo {
  return headers.has("anthropic-version") ? ANTHROPIC_MODELS_SURFACE : MODELS_SURFACE;
}

/**
 * Anthropic's token count: native when the target speaks Anthropic, otherwise the gateway's own
 * estimate, answered in Anthropic's shape and flagged with `x-switchyard-estimated: true`.
 */
const countTokens: SurfaceSpec = {
  name: "count_tokens",
  path: "/v1/messages/count_tokens",
  dialect: anthropic,
  operation: "count_tokens",
  validate: validateCountTokensRequest,
  model: (body) => body.model as string,
  stream: () => false,
  estimateInputTokens: estimateAnthropicInputTokens,
  maxOutputTokens: () => null,
  tokenCount: (inputTokens) => JSON.stringify({ input_tokens: inputTokens }),
};

export const CHAT_SURFACE: SurfaceSpec = generationSurface("chat", "/v1/chat/completions", openai);

/** Every body-taking surface the gateway serves. */
export const BUILT_IN_SURFACES: readonly SurfaceSpec[] = [
  CHAT_SURFACE,
  embeddings,
  generationSurface("messages", "/v1/messages", anthropic),
  countTokens,
  generationSurface("responses", "/v1/responses", responses),
];

/** Wire formats a provider may declare, by name. */
export const BUILT_IN_DIALECTS: ReadonlyMap<string, Dialect> = new Map<string, Dialect>([[openai.id, openai], [anthropic.id, anthropic], [responses.id, responses], [gemini.id, gemini]]);

/** The dialect a client at `path` speaks, for answers the router gives before any surface is chosen. */
export function dialectForPath(path: string, surfaces: readonly SurfaceSpec[]): Dialect {
  let best: SurfaceSpec | null = null;
  for (const surface of surfaces) {
    if ((path === surface.path || path.startsWith(`${surface.path}/`)) && (best === null || surface.path.length > best.path.length)) best = surface;
  }
  return best?.dialect ?? openai;
}

/** A built-in surface by name (for code and tests that build contexts by hand). */
export function surfaceInfo(name: Surface): SurfaceInfo {
  if (name === "models") return MODELS_SURFACE;
  const found = BUILT_IN_SURFACES.find((surface) => surface.name === name);
  if (found === undefined) throw new TypeError(`no built-in surface named "${name}"`);
  return found;
}
