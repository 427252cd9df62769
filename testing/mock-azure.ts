/**
 * A mock Azure OpenAI resource: the OpenAI wire format at Azure's paths, with Azure's key header
 * and its additions to the answer, in front of `mockUpstream`'s OpenAI turn.
 * - `POST /openai/deployments/{deployment}/chat/completions?api-version=…` and `…/embeddings`
 *   (the deployment-path API; `api-version` is required), and `/openai/v1/chat/completions`,
 *   `/openai/v1/embeddings`, `GET /openai/v1/models` (the v1 API, model in the body);
 * - the key in `api-key` (or a Microsoft Entra ID token as `Authorization: Bearer`);
 * - `apim-request-id` on every answer, `prompt_filter_results` and per-choice
 *   `content_filter_results` in answers, and a first stream chunk with empty `choices` carrying
 *   the prompt filter results, as Azure sends them;
 * - errors as `{"error":{"code":"<status or word>","message":…}}`.
 * The official `AzureOpenAI` client checks the wire in tests.
 */
import { type MockFault, mockUpstream, type MockUpstream, type MockUpstreamOptions } from "./mock-upstream.ts";

export interface MockAzureOptions extends Omit<MockUpstreamOptions, "apiKey"> {
  /** When set, requests must carry it as `api-key` (or `Authorization: Bearer`), or get a 401. */
  apiKey?: string;
}

const REQUEST_ID = "6f0f9c1e-mock-azure-apim";
const DEPLOYMENT_PATH = /^\/openai\/deployments\/[^/]+\/(?:chat\/completions|embeddings)$/;
const V1_PATH = /^\/openai\/v1\/(?:chat\/completions|embeddings|models)$/;
const FILTERS = { hate: { filtered: false, severity: "safe" }, self_harm: { filtered: false, severity: "safe" }, sexual: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } };
const PROMPT_FILTERS = [{ prompt_index: 0, content_filter_results: FILTERS }];
const encoder = new TextEncoder();

function azureError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: { "content-type": "application/json", "apim-request-id": REQUEST_ID } });
}

function withHeaders(response: Response, body: BodyInit | null): Response {
  const headers = new Headers(response.headers);
  headers.set("apim-request-id", REQUEST_ID);
  headers.delete("request-id");
  return new Response(body, { status: response.status, headers });
}

/** Azure's filter results added to a whole chat completion. */
function filtered(text: string): string {
  const body = JSON.parse(text) as { choices?: Record<string, unknown>[] } & Record<string, unknown>;
  if (!Array.isArray(body.choices)) return text;
  return JSON.stringify({ ...body, choices: body.choices.map((c) => ({ ...c, content_filter_results: FILTERS })), prompt_filter_results: PROMPT_FILTERS });
}

/** The stream with Azure's leading prompt-filter chunk, its other bytes as they were. */
function filteredStream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(encoder.encode(`data: ${JSON.stringify({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: PROMPT_FILTERS })}\n\n`));
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** Azure's shape for a scripted failure that brings no body of its own. */
function azureFault(fault: MockFault): MockFault {
  if (fault.status === undefined || fault.body !== undefined) return fault;
  const message = fault.status === 429 ? "Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 1 second." : `Mock Azure error ${fault.status}`;
  return { ...fault, body: JSON.stringify({ error: { code: String(fault.status), message } }) };
}

export function mockAzureUpstream(options: MockAzureOptions = {}): MockUpstream {
  const { apiKey, ...rest } = options;
  const inner = mockUpstream(rest);

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const deployment = DEPLOYMENT_PATH.test(url.pathname);
    if (!deployment && !V1_PATH.test(url.pathname)) return azureError(404, "404", "Resource not found");
    if (deployment && !url.searchParams.has("api-version")) return azureError(404, "404", "Resource not found");
    const key = request.headers.get("api-key") ?? request.headers.get("authorization")?.replace(/^Bearer /, "") ?? null;
    if (apiKey !== undefined && key !== apiKey) {
      return azureError(401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.");
    }
    const response = await inner.fetch(request);
    if (response.type === "error") return response;
    const type = response.headers.get("content-type") ?? "";
    if (response.status < 400 && type.includes("text/event-stream") && response.body !== null) return withHeaders(response, filteredStream(response.body));
    const text = await response.text();
    const chat = response.status < 400 && url.pathname.endsWith("/chat/completions");
    return withHeaders(response, chat ? filtered(text) : text);
  }

  return {
    fetch: handle,
    calls: inner.calls,
    fail: (...faults) => inner.fail(...faults.map(azureFault)),
    gate: (afterEvents) => inner.gate(afterEvents),
    reset: () => inner.reset(),
  };
}
