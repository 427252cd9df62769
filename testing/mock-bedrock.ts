/**
 * A mock Amazon Bedrock Runtime speaking the Converse API, for the `bedrock` provider and the AWS
 * SDK (`@aws-sdk/client-bedrock-runtime`) in tests:
 * - `POST /model/{modelId}/converse`: a Converse answer (`output.message.content` text or
 *   `toolUse` blocks, `stopReason`, `usage`, `metrics`), with `x-amzn-requestid`;
 * - `POST /model/{modelId}/converse-stream`: the binary AWS event stream
 *   (`application/vnd.amazon.eventstream`): messageStart, contentBlockStart (tool use only),
 *   contentBlockDelta, contentBlockStop, messageStop, metadata; each payload padded with a `p`
 *   field as Bedrock pads them;
 * - Signature Version 4 checked for presence and shape (`AWS4-HMAC-SHA256 Credential=<key>/<date>/
 *   <region>/bedrock/aws4_request, SignedHeaders=…, Signature=…` and `x-amz-date`), or a Bedrock
 *   API key as `Authorization: Bearer`;
 * - errors as AWS JSON (`{"message":…}` with `x-amzn-ErrorType`), a 400 ValidationException for a
 *   body without messages.
 * The turn is `mockUpstream`'s (faults, gates and stream cuts included): each Converse request is
 * put to it as a chat completion and its answer written back in Converse's words.
 */
import { encodeEvent } from "../dialects/bedrock/eventstream.ts";
import { type MockFault, mockUpstream, type MockUpstream, type MockUpstreamOptions, type RecordedCall } from "./mock-upstream.ts";

export interface MockBedrockOptions extends Omit<MockUpstreamOptions, "apiKey"> {
  /** When set, requests must be signed with this access key id (or carry `apiKey`), or get a 403. */
  accessKeyId?: string;
  /** A Bedrock API key accepted as `Authorization: Bearer`. */
  apiKey?: string;
  /** When set, signed requests must carry it as `x-amz-security-token`. */
  sessionToken?: string;
}

type Json = Record<string, unknown>;

const REQUEST_ID = "4c1d7a9e-mock-bedrock-0001";
const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const SIGNATURE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;
const EXCEPTIONS: Readonly<Record<number, string>> = {
  400: "ValidationException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};
const STOP: Readonly<Record<string, string>> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", content_filter: "content_filtered" };
const utf8 = new TextDecoder();

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function awsError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": REQUEST_ID, "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  });
}

/** Whether the request carries a well-formed signature (or API key) for these credentials. */
function authorised(headers: Headers, options: MockBedrockOptions): boolean {
  const authorization = headers.get("authorization") ?? "";
  if (options.apiKey !== undefined && authorization === `Bearer ${options.apiKey}`) return true;
  const match = SIGNATURE.exec(authorization);
  if (match === null || headers.get("x-amz-date") === null) return false;
  const signed = match[4].split(";");
  if (!signed.includes("host") || !signed.includes("x-amz-date")) return false;
  if (options.accessKeyId !== undefined && match[1] !== options.accessKeyId) return false;
  if (options.sessionToken !== undefined && (headers.get("x-amz-security-token") !== options.sessionToken || !signed.includes("x-amz-security-token"))) return false;
  return true;
}

function textOf(blocks: unknown): string {
  if (!Array.isArray(blocks)) return "";
  return blocks.map((b) => (isObject(b) && typeof b.text === "string" ? b.text : isObject(b) && isObject(b.toolResult) ? textOf(b.toolResult.content) : "")).filter((t) => t.length > 0).join(" ");
}

/** A Converse body as the chat completion the OpenAI mock answers. */
function asChat(body: Json, stream: boolean): Json {
  const messages: Json[] = [{ role: "system", content: textOf(body.system) }];
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    if (!isObject(message)) continue;
    const result = Array.isArray(message.content) && message.content.some((b) => isObject(b) && isObject(b.toolResult));
    messages.push({ role: result ? "tool" : message.role === "assistant" ? "assistant" : "user", content: textOf(message.content) });
  }
  const chat: Json = { model: "bedrock-mock", messages, stream };
  if (stream) chat.stream_options = { include_usage: true };
  const inference = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  if (typeof inference.maxTokens === "number") chat.max_tokens = inference.maxTokens;
  if (Array.isArray(inference.stopSequences)) chat.stop = inference.stopSequences;
  const config = isObject(body.toolConfig) ? body.toolConfig : {};
  const tools = (Array.isArray(config.tools) ? config.tools : []).flatMap((t) => (isObject(t) && isObject(t.toolSpec) && typeof t.toolSpec.name === "string" ? [t.toolSpec.name] : []));
  if (tools.length > 0) chat.tools = tools.map((name) => ({ type: "function", function: { name, parameters: { type: "object" } } }));
  const choice = isObject(config.toolChoice) ? config.toolChoice : null;
  if (choice !== null && isObject(choice.tool) && typeof choice.tool.name === "string") chat.tool_choice = { type: "function", function: { name: choice.tool.name } };
  else if (choice !== null && choice.any !== undefined) chat.tool_choice = "required";
  return chat;
}

function usageOf(chat: Json): Json {
  const usage = isObject(chat.usage) ? chat.usage : {};
  const input = Number(usage.prompt_tokens ?? 0);
  const output = Number(usage.completion_tokens ?? 0);
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

function toolUseId(callId: unknown): string {
  return `tooluse_${String(callId).replace(/[^A-Za-z0-9]/g, "")}`;
}

/** A chat completion answer in Converse's words. */
function converseAnswer(text: string): string {
  const chat = JSON.parse(text) as Json;
  const choice = (Array.isArray(chat.choices) ? chat.choices[0] : null) as Json | null;
  const message = isObject(choice?.message) ? choice.message : {};
  const content: Json[] = [];
  if (typeof message.content === "string" && message.content.length > 0) content.push({ text: message.content });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isObject(call) || !isObject(call.function)) continue;
    content.push({ toolUse: { toolUseId: toolUseId(call.id), name: call.function.name, input: JSON.parse(String(call.function.arguments ?? "{}")) } });
  }
  return JSON.stringify({ output: { message: { role: "assistant", content } }, stopReason: STOP[String(choice?.finish_reason)] ?? "end_turn", usage: usageOf(chat), metrics: { latencyMs: 12 } });
}

/** Bedrock pads each event so its size says nothing of its content. */
function padded(payload: Json): Json {
  return { ...payload, p: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".slice(0, 8 + (JSON.stringify(payload).length % 40)) };
}

/**
 * The OpenAI mock's SSE events, one a chunk, as Converse stream events. Breaks and gates of the
 * chat stream carry over: it is read as the client reads this one.
 */
function converseStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let toolOpen = false;
  let textOpen = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const out: Uint8Array[] = [];
        for (const line of utf8.decode(value).split("\n")) {
          if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
          const chunk = JSON.parse(line.slice(6)) as Json;
          const choice = (Array.isArray(chunk.choices) ? chunk.choices[0] : undefined) as Json | undefined;
          if (choice === undefined) {
            if (isObject(chunk.usage)) out.push(encodeEvent("metadata", padded({ usage: usageOf(chunk), metrics: { latencyMs: 12 } })));
            continue;
          }
          const delta = isObject(choice.delta) ? choice.delta : {};
          if (delta.role === "assistant") out.push(encodeEvent("messageStart", padded({ role: "assistant" })));
          if (typeof delta.content === "string" && delta.content.length > 0) {
            textOpen = true;
            out.push(encodeEvent("contentBlockDelta", padded({ contentBlockIndex: 0, delta: { text: delta.content } })));
          }
          for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
            if (!isObject(call) || !isObject(call.function)) continue;
            if (typeof call.id === "string") {
              toolOpen = true;
              out.push(encodeEvent("contentBlockStart", padded({ contentBlockIndex: 0, start: { toolUse: { toolUseId: toolUseId(call.id), name: call.function.name } } })));
            }
            if (typeof call.function.arguments === "string" && call.function.arguments.length > 0) {
              out.push(encodeEvent("contentBlockDelta", padded({ contentBlockIndex: 0, delta: { toolUse: { input: call.function.arguments } } })));
            }
          }
          if (typeof choice.finish_reason === "string") {
            if (textOpen || toolOpen) out.push(encodeEvent("contentBlockStop", padded({ contentBlockIndex: 0 })));
            out.push(encodeEvent("messageStop", padded({ stopReason: STOP[choice.finish_reason] ?? "end_turn" })));
          }
        }
        if (out.length === 0) continue;
        for (const bytes of out) controller.enqueue(bytes);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Bedrock's shape for a scripted failure that brings no body of its own. */
function bedrockFault(fault: MockFault): MockFault {
  if (fault.status === undefined || fault.body !== undefined) return fault;
  const type = EXCEPTIONS[fault.status] ?? (fault.status >= 500 ? "InternalServerException" : "ValidationException");
  const message = fault.status === 429 ? "Too many requests, please wait before trying again." : `Mock Bedrock error ${fault.status}`;
  return { ...fault, body: JSON.stringify({ message }), headers: { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...fault.headers } };
}

export interface MockBedrockUpstream extends MockUpstream {
  /** The model id of each call, decoded from its path, in order. */
  readonly models: string[];
}

export function mockBedrockUpstream(options: MockBedrockOptions = {}): MockBedrockUpstream {
  const { accessKeyId, apiKey, sessionToken, ...rest } = options;
  const inner = mockUpstream(rest);
  const calls: RecordedCall[] = [];
  const models: string[] = [];

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const route = PATH.exec(url.pathname);
    if (request.method !== "POST" || route === null) return awsError(404, "UnknownOperationException", `No operation at ${url.pathname}`);
    if (!authorised(request.headers, { accessKeyId, apiKey, sessionToken })) {
      return awsError(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    const rawBody = await request.text();
    let body: Json | null = null;
    try {
      const parsed = JSON.parse(rawBody) as unknown;
      body = isObject(parsed) ? parsed : null;
    } catch {
      body = null;
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const stream = route[2] === "converse-stream";
    if (body === null || !Array.isArray(body.messages) || body.messages.length === 0) {
      calls.push({ method: "POST", path: url.pathname, headers, body, rawBody, aborted: false, finished: true });
      return awsError(400, "ValidationException", "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
    }
    models.push(decodeURIComponent(route[1]));
    const before = inner.calls.length;
    const answer = await inner.fetch(new Request("http://bedrock-mock.internal/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(asChat(body, stream)), signal: request.signal }));
    // What this call was, with the chat stand-in's progress (aborted, finished) read through.
    const shadow = inner.calls[before];
    const call: RecordedCall = { method: "POST", path: url.pathname, headers, body, rawBody, aborted: false, finished: false };
    Object.defineProperties(call, { aborted: { get: () => shadow?.aborted ?? false }, finished: { get: () => shadow?.finished ?? false } });
    calls.push(call);
    if (answer.type === "error") return answer;
    const replyHeaders: Record<string, string> = { "x-amzn-requestid": REQUEST_ID };
    answer.headers.forEach((value, name) => {
      if (name.startsWith("x-amzn") || name === "retry-after") replyHeaders[name] = value;
    });
    if (answer.status >= 400) return new Response(await answer.text(), { status: answer.status, headers: { ...replyHeaders, "content-type": "application/json" } });
    if (stream && answer.body !== null) return new Response(converseStream(answer.body), { headers: { ...replyHeaders, "content-type": "application/vnd.amazon.eventstream" } });
    return new Response(converseAnswer(await answer.text()), { headers: { ...replyHeaders, "content-type": "application/json" } });
  }

  return {
    fetch: handle,
    calls,
    models,
    fail: (...faults) => inner.fail(...faults.map(bedrockFault)),
    gate: (afterEvents) => inner.gate(afterEvents),
    reset: () => {
      calls.length = 0;
      models.length = 0;
      inner.reset();
    },
  };
}
