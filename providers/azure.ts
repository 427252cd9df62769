import type { UpstreamErrorDetail } from "../core/dialect.ts";
import type { ProviderAdapter, ProviderReply } from "../core/provider.ts";
import { parseOpenAIError } from "../dialects/openai/errors.ts";
import { openaiFormatFields, type OpenAIProviderOptions } from "./openai.ts";
import { type OpenAITransport, presetHeaders, sendOpenAIFormat } from "./openai-transport.ts";

/** Besides its own options, those of `openai` that mean the same here (`models` names deployments). */
export interface AzureProviderOptions extends Pick<OpenAIProviderOptions, "headers" | "models" | "timeouts" | "reasoning" | "maxOutputTokens" | "streamUsage"> {
  /** The Azure OpenAI resource name: the base URL is `https://{resource}.openai.azure.com`. */
  resource?: string;
  /** The resource's endpoint, for a custom domain or a proxy in front of it; wins over `resource`. */
  baseURL?: string;
  /** Sent as `api-key`. For Microsoft Entra ID, leave it out and set `headers.authorization` to `Bearer <token>`. */
  apiKey?: string;
  /**
   * With an API version (`2024-10-21` …), calls go to the deployment's path,
   * `/openai/deployments/{deployment}/chat/completions?api-version=…`, and a target's model is the
   * deployment name. Without one, calls go to the v1 API (`/openai/v1/chat/completions`), which
   * takes the deployment name as `model` in the body. (API versions before 2024-09-01 reject
   * `stream_options`: set `streamUsage: false` for those.)
   */
  apiVersion?: string;
}

/**
 * Azure's error bodies are OpenAI's shape, but with the HTTP status as `code` ("429") where OpenAI
 * puts a word; such a code says nothing the status does not, so the gateway's own code stands.
 */
function parseAzureError(text: string): UpstreamErrorDetail | null {
  const detail = parseOpenAIError(text);
  return detail !== null && detail.code !== null && /^\d+$/.test(detail.code) ? { ...detail, code: null } : detail;
}

const AZURE_TRANSPORT: OpenAITransport = { requestIdHeaders: ["apim-request-id", "x-request-id"], parseError: parseAzureError };

/**
 * Azure OpenAI: the OpenAI wire format (chat completions and embeddings) on a resource's endpoint,
 * with the key in `api-key`. OpenAI clients' bodies pass through untouched; other dialects are
 * translated by the OpenAI dialect.
 */
export function azure(options: AzureProviderOptions): ProviderAdapter {
  if (options.baseURL === undefined && (options.resource === undefined || options.resource.length === 0)) {
    throw new TypeError("azure provider: set `resource` (the Azure OpenAI resource name) or `baseURL`");
  }
  const base = (options.baseURL ?? `https://${options.resource}.openai.azure.com`).replace(/\/+$/, "");
  const version = options.apiVersion;
  const paths: Readonly<Record<string, string>> = { generate: "/chat/completions", embed: "/embeddings" };
  const v1: Readonly<Record<string, string>> = { generate: `${base}/openai/v1/chat/completions`, embed: `${base}/openai/v1/embeddings` };
  const query = version === undefined ? "" : `?api-version=${encodeURIComponent(version)}`;
  const url = (operation: string, deployment: string): string =>
    version === undefined ? v1[operation] : `${base}/openai/deployments/${encodeURIComponent(deployment)}${paths[operation]}${query}`;
  const credentials: Record<string, string> = { ...options.headers };
  if (options.apiKey) credentials["api-key"] = options.apiKey;
  const fixed = presetHeaders(credentials);

  return {
    kind: "azure",
    ...openaiFormatFields(options),
    send: (call): Promise<ProviderReply> => sendOpenAIFormat(call, url(call.operation, call.model), fixed, AZURE_TRANSPORT),
  };
}
