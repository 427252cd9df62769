/**
 * The provider adapter contract as a list of checks, run against a mock upstream that speaks the
 * provider's real wire format. Requests are built in the adapter's own format by its dialect, and
 * answers read back by it, so the same checks fit every adapter:
 *
 * ```ts
 * for (const check of providerConformance({ adapter, mock, model: "m" })) it(check.name, check.run);
 * ```
 *
 * The mock must answer scripted faults (`mock.fail`) in the provider's own error shape.
 */
import type { StreamEvent } from "../core/canonical.ts";
import type { Dialect } from "../core/dialect.ts";
import { GatewayError } from "../core/errors.ts";
import type { ProviderAdapter, ProviderCall, ProviderReply } from "../core/provider.ts";
import { BUILT_IN_DIALECTS } from "../core/surfaces.ts";
import type { UpstreamClient } from "../core/upstream.ts";
import type { ConformanceCase } from "./counter-store-conformance.ts";
import { foldStream, neutralRequest } from "./dialect-conformance.ts";
import { inProcessUpstream } from "./index.ts";
import type { MockUpstream } from "./mock-upstream.ts";

export interface ProviderConformanceOptions {
  /** The adapter under test, configured for the mock (its base URL, credentials). */
  readonly adapter: ProviderAdapter;
  /** The mock upstream the adapter talks to. */
  readonly mock: MockUpstream;
  /** A model id (or deployment) to send. */
  readonly model: string;
  /** How bytes reach the mock. Default: the mock's handler, in-process. */
  readonly upstream?: UpstreamClient;
  /** The dialect of the adapter's format. Default: the adapter's own, or the built-in one it names. */
  readonly dialect?: Dialect;
}

const WEATHER = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`provider conformance: ${what}`);
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  check(error instanceof GatewayError, `expected a GatewayError, got ${error === null ? "an answer" : String(error)}`);
  return error;
}

async function bytesOf(reply: ProviderReply): Promise<Uint8Array[]> {
  check(reply.kind === "stream", `expected a stream, got ${reply.kind}`);
  const chunks: Uint8Array[] = [];
  if (reply.kind === "stream") for await (const chunk of reply.chunks) chunks.push(chunk);
  return chunks;
}

export function providerConformance(options: ProviderConformanceOptions): ConformanceCase[] {
  const { adapter, mock, model } = options;
  const dialect = options.dialect ?? adapter.dialect ?? BUILT_IN_DIALECTS.get(adapter.format);
  if (dialect === undefined) throw new TypeError(`provider conformance: no dialect for format "${adapter.format}"; pass one`);
  const upstream = options.upstream ?? inProcessUpstream(mock.fetch);
  const encodeOptions = { model, streamUsage: adapter.streamUsage !== false, defaultMaxTokens: adapter.defaultMaxTokens ?? 1024 };

  const call = (fields: { stream?: boolean; tool?: boolean; signal?: AbortSignal; headers?: Record<string, string> } = {}): ProviderCall => {
    const stream = fields.stream === true;
    const request = neutralRequest({
      model,
      system: [{ type: "text", text: "Answer briefly." }],
      messages: [{ role: "user", content: [{ type: "text", text: "What is the weather in Paris?" }] }],
      maxTokens: 256,
      stream,
      ...(fields.tool === true ? { tools: [WEATHER], toolChoice: { type: "tool", name: WEATHER.name } } : {}),
    });
    return {
      provider: "under-test",
      operation: "generate",
      format: adapter.format,
      model,
      bodyText: JSON.stringify(dialect.encodeRequest(request, { ...encodeOptions }).body),
      stream,
      headers: fields.headers ?? {},
      signal: fields.signal ?? new AbortController().signal,
      connectTimeoutMs: undefined,
      upstream,
    };
  };

  const decoded = async (reply: ProviderReply): Promise<StreamEvent[]> => {
    const decoder = dialect.streamDecoder();
    const events: StreamEvent[] = [];
    for (const chunk of await bytesOf(reply)) events.push(...decoder.push(chunk));
    events.push(...decoder.end());
    return events;
  };

  const run = (name: string, body: () => Promise<void>): ConformanceCase => ({
    name,
    async run() {
      mock.reset();
      await body();
    },
  });

  const cases: ConformanceCase[] = [
    run("a whole answer its dialect parses, with text, a finish and usage", async () => {
      const reply = await adapter.send(call());
      check(reply.kind === "json" && reply.status === 200, `expected a 200 JSON reply, got ${reply.kind} ${reply.status}`);
      const parsed = dialect.parseResponse(reply.text);
      check(parsed.content.some((part) => part.type === "text" && part.text.length > 0), "the answer has text");
      check(parsed.finish === "stop", `finish is stop, got ${parsed.finish}`);
      check(parsed.usage !== null && parsed.usage.inputTokens > 0 && parsed.usage.outputTokens > 0, "the answer reports usage");
      check(mock.calls.length === 1, `one upstream call, got ${mock.calls.length}`);
    }),
    run("passes a call's headers upstream, and its own credentials win over them", async () => {
      const forged = { authorization: "Bearer sk-forged", "x-api-key": "sk-forged", "api-key": "sk-forged", "x-goog-api-key": "sk-forged", "x-conformance-tag": "kept" };
      const reply = await adapter.send(call({ headers: forged }));
      // The mock checks the adapter's key: an answer means the forged credential did not replace it.
      check(reply.kind === "json" && reply.status === 200, `the adapter's credentials win over a plugin's, got ${reply.kind} ${reply.status}`);
      const sent = mock.calls[0]?.headers ?? {};
      check(sent["x-conformance-tag"] === "kept", "a call's own header reaches the upstream");
    }),
    run("a stream its dialect decodes to text, a finish, usage and a clean end", async () => {
      const folded = foldStream(await decoded(await adapter.send(call({ stream: true }))));
      const blocks = folded.blocks as { text: string }[];
      check(blocks.some((b) => b.text.length > 0), "the stream carries text");
      check((folded.finish as { reason: string } | null)?.reason === "stop", `finish is stop, got ${JSON.stringify(folded.finish)}`);
      const usage = folded.usage as { inputTokens: number; outputTokens: number } | null;
      check(usage !== null && usage.inputTokens > 0 && usage.outputTokens > 0, "the stream reports usage");
      check(folded.done === true && (folded.errors as unknown[]).length === 0, "the stream ends cleanly");
    }),
    run("a forced tool call comes back as a tool call with JSON arguments, whole and streamed", async () => {
      const reply = await adapter.send(call({ tool: true }));
      check(reply.kind === "json", "a JSON reply");
      const parsed = dialect.parseResponse(reply.text);
      const tool = parsed.content.find((part) => part.type === "tool_call");
      check(tool !== undefined && tool.type === "tool_call" && tool.name === WEATHER.name, "the answer calls the tool");
      check(typeof JSON.parse(tool.arguments) === "object", "its arguments are a JSON object");
      check(parsed.finish === "tool_calls", `finish is tool_calls, got ${parsed.finish}`);
      const folded = foldStream(await decoded(await adapter.send(call({ stream: true, tool: true }))));
      const block = (folded.blocks as { block: { type: string; name?: string }; args: string }[]).find((b) => b.block.type === "tool_call");
      check(block !== undefined && block.block.name === WEATHER.name, "the stream opens a tool call");
      check(typeof JSON.parse(block.args) === "object", "its streamed arguments join to a JSON object");
      check((folded.finish as { reason: string } | null)?.reason === "tool_calls", "the stream finishes with tool_calls");
    }),
    run("a 429 is the provider's, retryable, with its Retry-After", async () => {
      mock.fail({ status: 429, headers: { "retry-after": "2" } });
      const error = await failure(adapter.send(call()));
      check(error.status === 429 && error.retryable && error.fault === "provider", `got ${error.status} retryable=${error.retryable} fault=${error.fault}`);
      check(error.retryAfterMs === 2000, `retryAfterMs 2000, got ${error.retryAfterMs}`);
    }),
    run("a 5xx is the provider's and retryable", async () => {
      mock.fail({ status: 503 });
      const error = await failure(adapter.send(call()));
      check(error.status === 503 && error.retryable && error.fault === "provider", `got ${error.status} retryable=${error.retryable} fault=${error.fault}`);
    }),
    run("a 400 is the client's and not retried", async () => {
      mock.fail({ status: 400 });
      const error = await failure(adapter.send(call()));
      check(error.status === 400 && !error.retryable && error.fault === "client", `got ${error.status} retryable=${error.retryable} fault=${error.fault}`);
    }),
    run("a 401 or 403 is the gateway's credentials: a 502 that shows no upstream body", async () => {
      for (const status of [401, 403]) {
        mock.fail({ status, body: JSON.stringify({ message: "upstream secret detail" }) });
        const error = await failure(adapter.send(call()));
        check(error.status === 502 && error.code === "upstream_auth_failed" && error.fault === "gateway", `${status}: got ${error.status} ${error.code}`);
        check(!error.message.includes("upstream secret detail"), `${status}: the upstream body stays out of the message`);
      }
    }),
    run("aborting the call's signal ends an upstream call that never answers", async () => {
      mock.fail({ hang: true });
      const controller = new AbortController();
      const pending = adapter.send(call({ signal: controller.signal }));
      setTimeout(() => controller.abort(new Error("client went away")), 20);
      const outcome = await pending.then(() => "answered", () => "rejected");
      check(outcome === "rejected", "the call rejects once aborted");
    }),
  ];

  if (adapter.operations?.includes("embed") === true) {
    cases.push(run("embeddings: an OpenAI embeddings body in, a list of vectors out", async () => {
      const reply = await adapter.send({ ...call(), operation: "embed", format: "openai", bodyText: JSON.stringify({ model, input: ["one", "two"] }) });
      check(reply.kind === "json" && reply.status === 200, "a 200 JSON reply");
      const body = JSON.parse(reply.text) as { data?: { embedding?: unknown }[] };
      check(Array.isArray(body.data) && body.data.length === 2 && Array.isArray(body.data[0].embedding), "two vectors");
    }));
  }
  return cases;
}
