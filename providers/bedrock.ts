import { AwsV4Signer } from "aws4fetch";
import type { ProviderAdapter, ProviderReply, Timeouts } from "../core/provider.ts";
import { upstreamError } from "../core/upstream-errors.ts";
import { upstreamRequest } from "../core/upstream.ts";
import { bedrock as bedrockDialect, bedrockErrorType, parseBedrockError } from "../dialects/bedrock/index.ts";
import { readEnv } from "../runtimes/env.ts";

export interface BedrockProviderOptions {
  /** The AWS region (`us-east-1` …). Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Default: `AWS_ACCESS_KEY_ID`. */
  accessKeyId?: string;
  /** Default: `AWS_SECRET_ACCESS_KEY`. */
  secretAccessKey?: string;
  /** For temporary credentials. Default: `AWS_SESSION_TOKEN`. */
  sessionToken?: string;
  /**
   * A Bedrock API key, sent as `Authorization: Bearer` instead of signing. Default:
   * `AWS_BEARER_TOKEN_BEDROCK`. When neither it nor access keys are set, the factory throws.
   */
  apiKey?: string;
  /** Default `https://bedrock-runtime.{region}.amazonaws.com` (a VPC endpoint or a proxy otherwise). */
  baseURL?: string;
  /** Extra headers on every upstream request (signed with the rest). */
  headers?: Record<string, string>;
  /** Model ids (or inference profile ids) to list under this provider in `GET /v1/models`. */
  models?: string[];
  timeouts?: Timeouts;
  /** `inferenceConfig.maxTokens` for translated requests that set none. Default 4096. */
  defaultMaxTokens?: number;
  /** The most output tokens its models take; a translated request asking for more is lowered to it. */
  maxOutputTokens?: number;
  /**
   * Whether a model takes a thinking budget (sent as `additionalModelRequestFields.thinking`).
   * Default: Anthropic Claude models (`anthropic.claude…`, with or without an inference profile's
   * region prefix); other models' requests leave reasoning out and report it.
   */
  reasoning?: boolean | ((model: string) => boolean);
}

const CLAUDE = /(?:^|\.)anthropic\.claude/;

function credentialsFrom(options: BedrockProviderOptions): { apiKey: string } | { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } {
  const accessKeyId = options.accessKeyId ?? readEnv("AWS_ACCESS_KEY_ID");
  const secretAccessKey = options.secretAccessKey ?? readEnv("AWS_SECRET_ACCESS_KEY");
  const apiKey = options.apiKey ?? (accessKeyId === undefined ? readEnv("AWS_BEARER_TOKEN_BEDROCK") : undefined);
  if (apiKey !== undefined && apiKey.length > 0) return { apiKey };
  if (accessKeyId === undefined || secretAccessKey === undefined || accessKeyId.length === 0 || secretAccessKey.length === 0) {
    throw new TypeError("bedrock provider: no credentials; set accessKeyId and secretAccessKey (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or a Bedrock API key (apiKey, AWS_BEARER_TOKEN_BEDROCK)");
  }
  return { accessKeyId, secretAccessKey, sessionToken: options.sessionToken ?? readEnv("AWS_SESSION_TOKEN") };
}

/**
 * Amazon Bedrock's Converse API: `POST {baseURL}/model/{modelId}/converse`, and
 * `/converse-stream`, whose answer is the binary AWS event stream. Requests are signed with
 * Signature Version 4 for service `bedrock` (or carry a Bedrock API key). Every client format is
 * translated to Converse by the `bedrock` dialect; throttling (429), 5xx and timeouts are
 * retryable.
 */
export function bedrock(options: BedrockProviderOptions = {}): ProviderAdapter {
  const region = options.region ?? readEnv("AWS_REGION") ?? readEnv("AWS_DEFAULT_REGION");
  if (region === undefined || region.length === 0) throw new TypeError("bedrock provider: set `region` (or AWS_REGION)");
  const credentials = credentialsFrom(options);
  const base = (options.baseURL ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, "");
  // Derived signing keys, kept across requests (one a day per region and service).
  const signingKeys = new Map<string, ArrayBuffer>();
  const reasoning = options.reasoning;

  async function headersFor(url: string, body: string, stream: boolean, extra: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const fixed: Record<string, string> = { ...extra, ...options.headers, "content-type": "application/json", accept: stream ? "application/vnd.amazon.eventstream" : "application/json" };
    if ("apiKey" in credentials) return { ...fixed, authorization: `Bearer ${credentials.apiKey}` };
    const signer = new AwsV4Signer({ method: "POST", url, headers: fixed, body, service: "bedrock", region, cache: signingKeys, ...credentials });
    const signed = await signer.sign();
    const out: Record<string, string> = {};
    signed.headers.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }

  return {
    kind: "bedrock",
    format: "bedrock",
    dialect: bedrockDialect,
    models: options.models,
    timeouts: options.timeouts,
    defaultMaxTokens: options.defaultMaxTokens,
    maxOutputTokens: options.maxOutputTokens,
    reasoning: typeof reasoning === "function" ? reasoning : typeof reasoning === "boolean" ? () => reasoning : (model) => CLAUDE.test(model),
    async send(call): Promise<ProviderReply> {
      if (call.operation !== "generate") throw new TypeError(`bedrock provider cannot ${call.operation}`);
      const url = `${base}/model/${encodeURIComponent(call.model)}/${call.stream ? "converse-stream" : "converse"}`;
      const headers = await headersFor(url, call.bodyText, call.stream, call.headers);
      const response = await call.upstream.request(upstreamRequest(call, url, headers, call.bodyText));
      const requestId = response.header("x-amzn-requestid");
      if (response.status >= 400) {
        const text = await response.text().catch(() => "");
        const detail = parseBedrockError(text);
        const type = detail?.type ?? bedrockErrorType(response.header("x-amzn-errortype"));
        throw upstreamError(call.provider, {
          status: response.status,
          text,
          detail: { type, message: detail?.message ?? null, code: null, param: null },
          retryAfter: response.header("retry-after"),
          requestId,
        });
      }
      if (call.stream && (response.header("content-type") ?? "").includes("application/vnd.amazon.eventstream")) {
        return { kind: "stream", status: response.status, chunks: response.chunks(), requestId };
      }
      return { kind: "json", status: response.status, text: await response.text(), requestId };
    },
  };
}
