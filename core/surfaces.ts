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
import {
  estimateGeminiEmbedTokens,
  estimateGeminiInputTokens,
  gemini,
  validateBatchEmbedContentsRequest,
  validateCountTokensRequest as validateGeminiCountTokens,
  validateEmbedContentRequest,
} from "../dialects/gemini/index.ts";
import { badRequest } from "./errors.ts";

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

/** The same list for Gemini clients, at `GET /v1beta/models`. */
export const GEMINI_MODELS_SURFACE: SurfaceInfo = { ...MODELS_SURFACE, dialect: gemini };

function geminiSurface(name: Surface, operation: Operation, validate: (body: RequestBody) => void, estimate: (body: RequestBody) => number): SurfaceSpec {
  return {
    name,
    path: "/v1beta/models",
    dialect: gemini,
    operation,
    validate,
    model: gemini.model,
    stream: gemini.stream,
    estimateInputTokens: estimate,
    maxOutputTokens: operation === "generate" ? gemini.maxOutputTokens : () => null,
  };
}

const geminiGenerate = generationSurface("gemini", "/v1beta/models", gemini);
/** Gemini's token count: native on a Gemini target, the gateway's own estimate elsewhere (as for Anthropic's). */
const geminiCountTokens: SurfaceSpec = {
  ...geminiSurface("gemini_count_tokens", "count_tokens", validateGeminiCountTokens, estimateGeminiInputTokens),
  tokenCount: (inputTokens) => JSON.stringify({ totalTokens: inputTokens }),
};

/**
 * Gemini's methods, addressed as `POST {prefix}{model}:{method}`: the model and the method are in
 * the path, and each method is a surface of its own (`streamGenerateContent` is `generateContent`
 * streamed).
 */
const GEMINI_METHODS: ReadonlyMap<string, { readonly surface: SurfaceSpec; readonly stream: boolean }> = new Map([
  ["generateContent", { surface: geminiGenerate, stream: false }],
  ["streamGenerateContent", { surface: geminiGenerate, stream: true }],
  ["countTokens", { surface: geminiCountTokens, stream: false }],
  ["embedContent", { surface: geminiSurface("gemini_embed", "embed", validateEmbedContentRequest, estimateGeminiEmbedTokens), stream: false }],
  ["batchEmbedContents", { surface: geminiSurface("gemini_embed", "embed", validateBatchEmbedContentsRequest, estimateGeminiEmbedTokens), stream: false }],
]);

/**
 * Where Gemini clients send requests: `/v1beta/models/` (the Gemini API's default version) and
 * `/v1/models/` (which `@google/genai` 3.x calls by default). Under `/v1/models/` only a POST with a
 * `:method` suffix is Gemini's; `GET /v1/models/{id}` stays OpenAI's model lookup.
 */
export const GEMINI_PREFIXES: readonly string[] = ["/v1beta/models/", "/v1/models/"];

/** A Gemini request's surface and the model and stream flag its path names. */
export interface GeminiRoute {
  readonly surface: SurfaceSpec;
  readonly model: string;
  readonly stream: boolean;
}

/**
 * The Gemini method `url` asks for, or null when its path names none (`…/models/{model}:{method}`,
 * the model percent-decoded; `tunedModels/…` and `models/…` prefixes as the SDKs send them).
 * Throws a 400 for a malformed escape, or for a stream asked for in any form but server-sent events.
 */
export function geminiRoute(url: URL): GeminiRoute | null {
  const prefix = GEMINI_PREFIXES.find((p) => url.pathname.startsWith(p));
  if (prefix === undefined) return null;
  const rest = url.pathname.slice(prefix.length);
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) return null;
  const method = GEMINI_METHODS.get(rest.slice(colon + 1));
  if (method === undefined) return null;
  let model: string;
  try {
    model = decodeURIComponent(rest.slice(0, colon));
  } catch {
    throw badRequest("The model id in the path is not a valid percent-encoded string.", "model", "invalid_path");
  }
  if (method.stream && url.searchParams.get("alt") !== "sse") {
    throw badRequest("streamGenerateContent is served as server-sent events only: add '?alt=sse' (as the Gemini SDKs do).", "alt", "invalid_value");
  }
  return { surface: method.surface, model, stream: method.stream };
}

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
  if (best === null && (path.startsWith("/v1beta/") || (path.startsWith("/v1/models/") && path.includes(":")))) return gemini;
  return best?.dialect ?? openai;
}

/** A built-in surface by name (for code and tests that build contexts by hand). */
export function surfaceInfo(name: Surface): SurfaceInfo {
  if (name === "models") return MODELS_SURFACE;
  const found = BUILT_IN_SURFACES.find((surface) => surface.name === name) ?? [...GEMINI_METHODS.values()].find((m) => m.surface.name === name)?.surface;
  if (found === undefined) throw new TypeError(`no built-in surface named "${name}"`);
  return found;
}
