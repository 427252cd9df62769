import { afterEach, describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import { networkError, parseRetryAfter, timeoutError, upstreamError, type UpstreamFailure, UpstreamTimeout } from "../../core/upstream-errors.ts";
import { parseOpenAIError } from "../../dialects/openai/errors.ts";

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

const fail = (status: number, text: string, extra: Partial<UpstreamFailure> = {}): UpstreamFailure => ({
  status,
  text,
  detail: parseOpenAIError(text),
  retryAfter: null,
  ...extra,
});

describe("upstreamError", () => {
  it("rebuilds a 400 from the provider's type, code, param and message; the raw body stays for the log only", async () => {
    const error = upstreamError("openai", fail(400, OPENAI_400));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.fault).toBe("client");
    expect(error.code).toBe("context_length_exceeded");
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("messages");
    expect(error.message).toBe(JSON.parse(OPENAI_400).error.message);
    expect(error.upstream).toMatchObject({ status: 400, type: "invalid_request_error", code: "context_length_exceeded", body: OPENAI_400 });
    expect(JSON.parse(await error.toResponse().text())).toEqual({ error: { message: error.message, type: "invalid_request_error", code: "context_length_exceeded", param: "messages" } });
  });

  it.each([404, 422, 402])("keeps other request errors (%i) as non-retryable with their status", (status) => {
    const error = upstreamError("openai", fail(status, OPENAI_400));
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(error.fault).toBe("client");
  });

  it("scrubs a key the upstream echoes in its message", async () => {
    const echo = JSON.stringify({ error: { message: "Invalid header Authorization: Bearer sk-proj-abcdefghijklmnop1234 for org", type: "invalid_request_error" } });
    for (const status of [400, 429, 500]) {
      const text = await upstreamError("openai", fail(status, echo)).toResponse().text();
      expect(text).not.toContain("sk-proj-abcdefghijklmnop1234");
      expect(text).toContain("[redacted]");
    }
  });

  it.each([401, 403])("turns %i into a retryable 502 upstream_auth_failed that hides the upstream text", async (status) => {
    const error = upstreamError("anthropic", fail(status, '{"error":{"message":"invalid x-api-key sk-ant-123"}}'));
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_auth_failed");
    expect(error.fault).toBe("gateway");
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`Provider "anthropic" rejected the gateway's credentials (upstream status ${status}).`);
    const text = await error.toResponse().text();
    expect(text).not.toContain("sk-ant-123");
    expect(JSON.parse(text)).toEqual({ error: { message: error.message, type: "api_error", code: "upstream_auth_failed", param: null } });
  });

  it("makes 429 retryable with a retry-after header", () => {
    const error = upstreamError("openai", fail(429, OPENAI_429, { retryAfter: "7" }));
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.retryAfterMs).toBe(7000);
    expect(error.headers).toEqual({ "retry-after": "7" });
    expect(error.message).toBe(`Provider "openai" failed with status 429: ${JSON.parse(OPENAI_429).error.message}`);
    expect(error.toResponse().headers.get("retry-after")).toBe("7");
  });

  it("gives a 429 without a body the rate-limit code and type", () => {
    const error = upstreamError("openai", fail(429, ""));
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.type).toBe("rate_limit_error");
  });

  it("prefers retry-after-ms, and rounds a fractional retry-after up to whole seconds in the header", () => {
    expect(upstreamError("openai", fail(429, "", { retryAfter: "1.2" })).headers).toEqual({ "retry-after": "2" });
    const ms = upstreamError("openai", fail(429, "", { retryAfter: "9", retryAfterMs: "250" }));
    expect(ms.retryAfterMs).toBe(250);
  });

  it("turns an HTTP-date retry-after into seconds for the client", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T00:00:00Z"));
    const error = upstreamError("openai", fail(429, "", { retryAfter: "Mon, 01 Jan 2024 00:00:30 GMT" }));
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.headers).toEqual({ "retry-after": "30" });
  });

  it("sends no retry-after header for a 429 without one", () => {
    const error = upstreamError("openai", fail(429, OPENAI_429));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.headers).toBeUndefined();
  });

  it("records retry-after on a 503 without echoing it as a header", () => {
    const error = upstreamError("openai", fail(503, "", { retryAfter: "4" }));
    expect(error.retryAfterMs).toBe(4000);
    expect(error.headers).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 501])("makes %i a retryable provider fault", (status) => {
    const error = upstreamError("azure", fail(status, ""));
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
    expect(error.code).toBe("upstream_error");
    expect(error.type).toBe("api_error");
    expect(error.message).toBe(`Provider "azure" failed with status ${status}.`);
  });

  it("makes 529 (overloaded) a retryable provider fault of its own type", () => {
    const error = upstreamError("claude", fail(529, ""));
    expect(error.retryable).toBe(true);
    expect(error.code).toBe("upstream_overloaded");
    expect(error.type).toBe("overloaded_error");
  });

  it.each([408, 409])("makes %i retryable", (status) => {
    const error = upstreamError("openai", fail(status, ""));
    expect(error.retryable).toBe(true);
    expect(error.fault).toBe("provider");
  });

  it("never sends an HTML page, a stack trace or other raw text on", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1><pre>at /srv/app/node_modules/x.js:12</pre></body></html>";
    const error = upstreamError("openai", fail(502, html));
    expect(error.message).toBe('Provider "openai" failed with status 502.');
    expect(await error.toResponse().text()).not.toContain("html");
    expect(error.upstream?.body).toBe(html);
  });

  it("passes the provider's request id on when it is a plain token", () => {
    expect(upstreamError("openai", fail(500, "", { requestId: "req_abc123" })).headers).toEqual({ "x-switchyard-upstream-request-id": "req_abc123" });
    expect(upstreamError("openai", fail(500, "", { requestId: "<script>" })).headers).toBeUndefined();
  });

  it("cuts a long provider message", () => {
    const text = JSON.stringify({ error: { message: "x".repeat(2000) } });
    expect(upstreamError("p", fail(500, text)).message).toBe(`Provider "p" failed with status 500: ${"x".repeat(1000)}…`);
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
