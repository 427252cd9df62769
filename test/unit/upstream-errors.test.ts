import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import { networkError, parseRetryAfter, timeoutError, upstreamError, UpstreamTimeout } from "../../core/upstream-errors.ts";

const OPENAI_400 = JSON.stringify({
  error: {
    message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
    type: "invalid_request_error",
    param: "messages",
    code: "context_length_exceeded",
  },
});

const OPENAI_429 = JSON.stringify({
  error: { message: "Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM).", type: "tokens", param: null, code: "rate_limit_exceeded" },
});

afterEach(() => {
  vi.useRealTimers();
});

describe("parseRetryAfter", () => {
  it("returns undefined for a missing or empty header", () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("")).toBeUndefined();
  });

  it("parses delay-seconds into milliseconds", () => {
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("1")).toBe(1000);
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter("1.5")).toBe(1500);
  });

  it("clamps a negative number of seconds to zero", () => {
    expect(parseRetryAfter("-5")).toBe(0);
  });

  it("parses an HTTP date relative to now", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:29:00 GMT", now)).toBe(60_000);
  });

  it("clamps an HTTP date in the past to zero", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
  });

  it("uses the current time by default", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:10 GMT")).toBe(10_000);
  });

  it("returns undefined for garbage", () => {
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("Infinity")).toBeUndefined();
  });
});

describe("upstreamError", () => {
  it("keeps a 400 with its OpenAI body, not retryable, client fault", async () => {
    const error = upstreamError("openai", 400, OPENAI_400, null);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.fault).toBe("client");
    expect(error.code).toBe("upstream_rejected");
    expect(error.type).toBe("invalid_request_error");
    expect(error.body).toBe(OPENAI_400);
    expect(error.message).toBe(`Provider "openai" returned status 400: ${OPENAI_400}`);
    const response = error.toResponse();
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(OPENAI_400);
  });

  it.each([404, 422, 402])("keeps other request errors (%i) as non-retryable with their status", (status) => {
    const error = upstreamError("openai", status, OPENAI_400, null);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.fault).toBe("client");
    expect(error.body).toBe(OPENAI_400);
  });

  it.each([401, 403])("turns %i into a retryable 502 upstream_auth_failed that hides the upstream body", async (status) => {
    const error = upstreamError("anthropic", status, '{"error":{"message":"invalid x-api-key sk-ant-123"}}', null);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.fault).toBe("gateway");
    expect(error.retryable).toBe(true);
    expect(error.body).toBeUndefined();
    expect(error.message).toBe(`Provider "anthropic" rejected the gateway's credentials (upstream status ${status}).`);
    const text = await error.toResponse().text();
    expect(text).not.toContain("sk-ant-123");
    expect(JSON.parse(text)).toEqual({ error: { message: error.message, type: "api_error", code: "upstream_auth_failed", param: null } });
  });

  it("makes 429 retryable with a retry-after header and the rate-limit type", () => {
    const error = upstreamError("openai", 429, OPENAI_429, "7");
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.type).toBe("rate_limit_error");
    expect(error.retryAfterMs).toBe(7000);
    expect(error.headers).toEqual({ "retry-after": "7" });
    expect(error.body).toBe(OPENAI_429);
    expect(error.toResponse().headers.get("retry-after")).toBe("7");
  });

  it("rounds a fractional retry-after up to whole seconds in the header", () => {
    const error = upstreamError("openai", 429, "", "1.2");
    expect(error.retryAfterMs).toBe(1200);
    expect(error.headers).toEqual({ "retry-after": "2" });
  });

  it("turns an HTTP-date retry-after into seconds for the client", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
    const error = upstreamError("openai", 429, "", "Mon, 01 Jan 2024 00:00:30 GMT");
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.headers).toEqual({ "retry-after": "30" });
  });

  it("sends no retry-after header for a 429 without one", () => {
    const error = upstreamError("openai", 429, OPENAI_429, null);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.headers).toBeUndefined();
  });

  it("records retry-after on a 503 without echoing it as a header", () => {
    const error = upstreamError("openai", 503, "", "4");
    expect(error.retryAfterMs).toBe(4000);
    expect(error.headers).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 501, 529])("makes %i a retryable provider fault", (status) => {
    const error = upstreamError("azure", status, "", null);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.code).toBe("upstream_error");
    expect(error.type).toBe("api_error");
    expect(error.message).toBe(`Provider "azure" returned status ${status}.`);
  });

  it.each([408, 409])("makes %i retryable", (status) => {
    const error = upstreamError("openai", status, "", null);
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
  });

  it("wraps a non-JSON body in the gateway's own OpenAI-shaped error", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const error = upstreamError("openai", 502, html, null);
    expect(error.body).toBeUndefined();
    expect(error.message).toBe(`Provider "openai" returned status 502: ${html}`);
    const parsed = (await error.toResponse().json()) as { error: Record<string, unknown> };
    expect(parsed).toEqual({ error: { message: error.message, type: "api_error", code: "upstream_error", param: null } });
  });

  it("wraps JSON bodies that are not OpenAI error objects", () => {
    for (const text of ['{"message":"nope"}', '{"error":"nope"}', '{"error":{"message":42}}', '{"error":null}', "[1,2]", '{"error":{"message":"x"', " {\"error\":{\"message\":\"x\"}}"]) {
      expect(upstreamError("p", 400, text, null).body, text).toBeUndefined();
    }
  });

  it("passes through an OpenAI-shaped body on a 5xx too", () => {
    const body = '{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}';
    expect(upstreamError("openai", 500, body, null).body).toBe(body);
  });

  it("truncates a long error text in the message", () => {
    const text = "x".repeat(2000);
    const error = upstreamError("p", 500, text, null);
    expect(error.message).toBe(`Provider "p" returned status 500: ${"x".repeat(500)}…`);
  });

  it("keeps an error text of exactly 500 characters whole", () => {
    const text = "y".repeat(500);
    expect(upstreamError("p", 500, text, null).message).toBe(`Provider "p" returned status 500: ${text}`);
  });
});

describe("timeoutError and networkError", () => {
  it("timeoutError is a retryable 504 naming which timeout fired", () => {
    const timeout = new UpstreamTimeout("firstByte", 30_000);
    expect(timeout.message).toBe("upstream firstByte timeout after 30000 ms");
    const error = timeoutError("openai", timeout);
    expect(error.status).toBe(504);
    expect(error.type).toBe("timeout_error");
    expect(error.code).toBe("upstream_timeout");
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.cause).toBe(timeout);
    expect(error.message).toBe('Provider "openai" did not answer in time (firstByte timeout, 30000 ms).');
  });

  it("networkError prefers the cause's code", () => {
    const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const error = networkError("local", cause);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_unreachable");
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.message).toBe('Could not reach provider "local" (ECONNREFUSED).');
  });

  it("networkError falls back to the error's own code, then its message, then String()", () => {
    expect(networkError("p", Object.assign(new Error("reset"), { code: "ECONNRESET" })).message).toBe('Could not reach provider "p" (ECONNRESET).');
    expect(networkError("p", new Error("socket hang up")).message).toBe('Could not reach provider "p" (socket hang up).');
    expect(networkError("p", "weird").message).toBe('Could not reach provider "p" (weird).');
  });
});
