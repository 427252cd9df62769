/**
 * The provider adapter contract as a list of checks, run against `mockUpstream` in-process: whole
 * and streamed generations in the adapter's wire format, credentials, headers from plugins, the
 * mapping of upstream failures to typed errors (fault class, retryable, `Retry-After`), and
 * cancellation. A community adapter runs them with any test framework:
 *
 * ```ts
 * const checks = providerConformance({ make: ({ baseURL, apiKey }) => myProvider({ baseURL, apiKey }) });
 * for (const check of checks) it(check.name, check.run);
 * ```
 *
 * `make` gets the mock's base URL (`http://upstream.test/v1`) and the key it expects. The adapter
 * must speak one of the built-in wire formats (`openai`, `anthropic`, `responses`), which the mock
 * serves under the same paths as the real APIs.
 */
import type { CanonicalResponse, StreamEvent } from "../core/canonical.ts";
import { GatewayError } from "../core/errors.ts";
import type { ProviderAdapter, ProviderCall, ProviderReply } from "../core/provider.ts";
import type { WireFormat } from "../core/types.ts";
import { BUILT_IN_DIALECTS } from "../core/surfaces.ts";
import { decodeStream } from "./dialect-conformance.ts";
import type { ConformanceCase } from "./counter-store-conformance.ts";
import { inProcessUpstream } from "./index.ts";
import { mockUpstream, type MockUpstream } from "./mock-upstream.ts";

export interface ProviderConformanceOptions {
  /** Build the adapter under test, pointed at the mock upstream. */
  make(options: { baseURL: string; apiKey: string }): ProviderAdapter | Promise<ProviderAdapter>;
  /** The model id to ask for. Default `conformance-model`. */
  model?: string;
  /**
   * Which of the adapter's wire formats to check: its `format` (the default) or one of its other
   * `formats`. Run the suite once per format the adapter serves.
   */
  format?: WireFormat;
}

const BASE_URL = "http://upstream.test/v1";
const API_KEY = "sk-conformance-0123456789";
const PROMPT = "Hello from the conformance suite";

/** A minimal generation body in each built-in format, with the model set. */
function bodyFor(format: string, model: string, stream: boolean): Record<string, unknown> {
  if (format === "anthropic") return { model, max_tokens: 64, stream, messages: [{ role: "user", content: PROMPT }] };
  if (format === "responses") return { model, stream, input: PROMPT };
  return { model, stream, messages: [{ role: "user", content: PROMPT }] };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`provider conformance: ${message}`);
}

function textOf(response: CanonicalResponse): string {
  return response.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function thrown(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  check(error instanceof GatewayError, `expected the adapter to throw a GatewayError, got ${error === null ? "an answer" : String(error)}`);
  return error as GatewayError;
}

export function providerConformance(options: ProviderConformanceOptions): ConformanceCase[] {
  const model = options.model ?? "conformance-model";

  async function setup(apiKey = API_KEY) {
    const upstream: MockUpstream = mockUpstream({ apiKey: API_KEY });
    const adapter = await options.make({ baseURL: BASE_URL, apiKey });
    const format = options.format ?? adapter.format;
    check(format === adapter.format || (adapter.formats ?? []).includes(format), `the adapter does not serve format "${format}"`);
    const dialect = BUILT_IN_DIALECTS.get(format);
    check(dialect !== undefined, `format "${format}" is not a built-in wire format (${[...BUILT_IN_DIALECTS.keys()].join(", ")})`);
    const client = inProcessUpstream(upstream.fetch);
    const send = (stream: boolean, extra: Partial<ProviderCall> = {}): Promise<ProviderReply> =>
      adapter.send({
        provider: "conformance",
        operation: "generate",
        format,
        model,
        bodyText: JSON.stringify(bodyFor(format, model, stream)),
        stream,
        headers: {},
        signal: new AbortController().signal,
        connectTimeoutMs: undefined,
        upstream: client,
        ...extra,
      });
    return { upstream, adapter, dialect: dialect!, send };
  }

  const cases: ConformanceCase[] = [];
  const add = (name: string, run: () => Promise<void>): void => void cases.push({ name, run });

  add("answers a whole generation in its wire format", async () => {
    const { send, dialect, upstream, adapter } = await setup();
    const reply = await send(false);
    check(reply.kind === "json", `a non-stream call must reply kind "json", got "${reply.kind}"`);
    check(reply.status === 200, `status 200 expected, got ${reply.status}`);
    const parsed = dialect.parseResponse((reply as { text: string }).text);
    check(textOf(parsed).includes(PROMPT), "the answer's text does not hold what the mock echoed");
    check(upstream.calls.length === 1, `one upstream call expected, got ${upstream.calls.length}`);
    check(upstream.calls[0].body?.model === model, "the upstream body does not name the model");
    await adapter.close?.();
  });

  add("streams a generation as raw event bytes that decode in its wire format", async () => {
    const { send, dialect } = await setup();
    const reply = await send(true);
    check(reply.kind === "stream", `a stream call must reply kind "stream", got "${reply.kind}"`);
    const events: StreamEvent[] = decodeStream(dialect, await collect((reply as { chunks: AsyncIterable<Uint8Array> }).chunks));
    const text = events.map((e) => (e.type === "text" ? e.text : "")).join("");
    check(text.includes(PROMPT), "the streamed text does not hold what the mock echoed");
    check(events.at(-1)?.type === "done", "the stream does not end cleanly");
  });

  add("passes a call's headers upstream, and its own credentials win over them", async () => {
    const { send, upstream } = await setup();
    const reply = await send(false, { headers: { "x-conformance": "from-a-plugin", authorization: "Bearer wrong", "x-api-key": "wrong" } });
    check(reply.status === 200, `the adapter's credentials must override a call's, got status ${reply.status}`);
    check(upstream.calls[0].headers["x-conformance"] === "from-a-plugin", "a header from the call did not reach the upstream");
  });

  add("maps refused credentials to upstream_auth_failed (502, retryable, the gateway's fault)", async () => {
    const { send } = await setup("sk-wrong-key-000000");
    const error = await thrown(send(false));
    check(error.code === "upstream_auth_failed" && error.status === 502 && error.retryable && error.fault === "gateway", `got ${error.status} ${error.code} (${error.fault})`);
  });

  add("maps a 429 with Retry-After to rate_limit_exceeded, retryable, with the wait", async () => {
    const { send, upstream } = await setup();
    upstream.fail({ status: 429, headers: { "retry-after": "7" } });
    const error = await thrown(send(false));
    check(error.status === 429 && error.code === "rate_limit_exceeded" && error.retryable && error.fault === "provider", `got ${error.status} ${error.code} (${error.fault})`);
    check(error.retryAfterMs === 7000, `retryAfterMs 7000 expected, got ${error.retryAfterMs}`);
  });

  add("maps a 5xx to a retryable provider fault", async () => {
    const { send, upstream } = await setup();
    upstream.fail({ status: 503 });
    const error = await thrown(send(false));
    check(error.status === 503 && error.retryable && error.fault === "provider", `got ${error.status} retryable=${error.retryable} (${error.fault})`);
  });

  add("maps another 4xx to the client's fault, not retried", async () => {
    const { send, upstream } = await setup();
    upstream.fail({ status: 400 });
    const error = await thrown(send(false));
    check(error.status === 400 && !error.retryable && error.fault === "client", `got ${error.status} retryable=${error.retryable} (${error.fault})`);
  });

  add("cancels the upstream call when the signal aborts mid-stream", async () => {
    const { send, upstream } = await setup();
    const gate = upstream.gate(1);
    const controller = new AbortController();
    const reply = await send(true, { signal: controller.signal });
    check(reply.kind === "stream", "a stream call must reply kind \"stream\"");
    const iterator = (reply as { chunks: AsyncIterable<Uint8Array> }).chunks[Symbol.asyncIterator]();
    await iterator.next();
    await gate.reached;
    controller.abort();
    gate.release();
    // The rest either fails or ends; either way the upstream must see the caller leave.
    await (async () => {
      for (let r = await iterator.next(); !r.done; r = await iterator.next());
    })().catch(() => {});
    for (let i = 0; i < 50 && !upstream.calls[0].aborted; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    check(upstream.calls[0].aborted, "the upstream did not see the call cancelled");
  });

  return cases;
}
