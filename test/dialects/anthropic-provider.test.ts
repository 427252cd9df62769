/**
 * The `anthropic` provider adapter on its own, against the mock upstream: the URL and headers it
 * sends, the replies it hands back, and how it classifies upstream failures.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import type { ProviderCall } from "../../core/provider.ts";
import { anthropic } from "../../providers/index.ts";
import { inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const KEY = "sk-ant-provider-test";

function setup(options: Parameters<typeof anthropic>[0] = {}) {
  const upstream = mockUpstream({ apiKey: KEY });
  const adapter = anthropic({ apiKey: KEY, baseURL: "http://upstream.test/v1/", ...options });
  const call = (fields: Partial<ProviderCall> = {}): ProviderCall => ({
    provider: "claude",
    operation: "generate",
    format: "anthropic",
    model: "claude-haiku-4-5",
    bodyText: JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }], ...(fields.stream ? { stream: true } : {}) }),
    stream: false,
    headers: {},
    signal: new AbortController().signal,
    connectTimeoutMs: undefined,
    upstream: inProcessUpstream(upstream.fetch),
    ...fields,
  });
  return { upstream, adapter, call };
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe("anthropic provider", () => {
  it("declares the Anthropic format and native token counting", () => {
    const { adapter } = setup({ defaultMaxTokens: 2048 });
    expect(adapter).toMatchObject({ kind: "anthropic", format: "anthropic", operations: ["count_tokens"], defaultMaxTokens: 2048 });
  });

  it("posts to {baseURL}/messages with x-api-key and the configured anthropic-version, and returns JSON as it came", async () => {
    const { adapter, call, upstream } = setup();
    const reply = await adapter.send(call());
    expect(reply.kind).toBe("json");
    if (reply.kind !== "json") return;
    expect(JSON.parse(reply.text)).toMatchObject({ type: "message", role: "assistant" });
    expect(reply.requestId).toBe("req_mock");
    const seen = upstream.calls[0];
    expect(seen.path).toBe("/v1/messages");
    expect(seen.headers).toMatchObject({ "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json", accept: "application/json" });
    expect(seen.rawBody).toBe(call().bodyText);
  });

  it("passes on the client's anthropic-version and anthropic-beta; its own key wins over anything a plugin set", async () => {
    const { adapter, call, upstream } = setup({ version: "2023-01-01" });
    await adapter.send(call({ headers: { "anthropic-version": "2026-10-21", "anthropic-beta": "context-1m-2025-08-07", "x-api-key": "the-client-key" } }));
    expect(upstream.calls[0].headers).toMatchObject({ "anthropic-version": "2026-10-21", "anthropic-beta": "context-1m-2025-08-07", "x-api-key": KEY });
  });

  it("streams SSE replies chunk by chunk and counts tokens at /messages/count_tokens", async () => {
    const { adapter, call, upstream } = setup();
    const reply = await adapter.send(call({ stream: true }));
    expect(reply.kind).toBe("stream");
    if (reply.kind !== "stream") return;
    let text = "";
    for await (const chunk of reply.chunks) text += new TextDecoder().decode(chunk);
    expect(text.startsWith("event: message_start\n")).toBe(true);
    expect(text.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    expect(upstream.calls[0].headers.accept).toBe("text/event-stream");

    const counted = await adapter.send(call({ operation: "count_tokens", bodyText: JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] }) }));
    expect(counted.kind === "json" && JSON.parse(counted.text)).toMatchObject({ input_tokens: expect.any(Number) });
    expect(upstream.calls[1].path).toBe("/v1/messages/count_tokens");
  });

  it("classifies failures: 529 and 429 retryable with retry-after, 400 the client's, 401 the gateway's credentials", async () => {
    const { adapter, call, upstream } = setup();
    upstream.fail(
      { status: 529, headers: { "retry-after": "2" } },
      { status: 429, headers: { "retry-after": "5" } },
      { status: 400, body: JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "messages.0.content: bad" } }) },
      { status: 401 },
    );
    const overloaded = await failure(adapter.send(call()));
    expect(overloaded).toMatchObject({ status: 529, type: "overloaded_error", fault: "provider", retryable: true, retryAfterMs: 2000 });
    const limited = await failure(adapter.send(call()));
    expect(limited).toMatchObject({ status: 429, type: "rate_limit_error", fault: "provider", retryable: true, retryAfterMs: 5000 });
    expect(limited.headers?.["retry-after"]).toBe("5");
    const bad = await failure(adapter.send(call()));
    expect(bad).toMatchObject({ status: 400, type: "invalid_request_error", fault: "client", retryable: false, message: "messages.0.content: bad" });
    const credentials = await failure(adapter.send(call()));
    expect(credentials).toMatchObject({ status: 502, code: "upstream_auth_failed", fault: "gateway" });
    // The upstream's body never reaches the caller raw; it is kept for the log.
    expect(credentials.message).not.toContain("Mock upstream error");
  });
});
