import { describe, expect, it } from "vitest";
import {
  badRequest,
  clientClosed,
  GatewayError,
  internalError,
  isGatewayError,
  methodNotAllowed,
  modelNotFound,
  notFound,
  payloadTooLarge,
  toGatewayError,
} from "../../core/errors.ts";

describe("GatewayError", () => {
  it("is an Error with name GatewayError and the given fields", () => {
    const cause = new Error("root");
    const error = new GatewayError({
      status: 422,
      message: "bad field",
      type: "custom_type",
      code: "bad_field",
      param: "temperature",
      fault: "policy",
      retryable: true,
      retryAfterMs: 1500,
      headers: { "x-a": "1" },
      cause,
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("GatewayError");
    expect(error.message).toBe("bad field");
    expect(error.status).toBe(422);
    expect(error.type).toBe("custom_type");
    expect(error.code).toBe("bad_field");
    expect(error.param).toBe("temperature");
    expect(error.fault).toBe("policy");
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(1500);
    expect(error.headers).toEqual({ "x-a": "1" });
    expect(error.cause).toBe(cause);
    expect(error.plugin).toBeUndefined();
    expect(error.hook).toBeUndefined();
  });

  it("defaults code and param to null, retryable to false and has no cause", () => {
    const error = new GatewayError({ status: 400, message: "m" });
    expect(error.code).toBeNull();
    expect(error.param).toBeNull();
    expect(error.retryable).toBe(false);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.headers).toBeUndefined();
    expect(error.upstream).toBeUndefined();
    expect("cause" in error).toBe(false);
  });

  it.each([
    [400, "invalid_request_error"],
    [401, "authentication_error"],
    [403, "permission_error"],
    [404, "invalid_request_error"],
    [405, "invalid_request_error"],
    [408, "timeout_error"],
    [409, "invalid_request_error"],
    [413, "invalid_request_error"],
    [415, "invalid_request_error"],
    [422, "invalid_request_error"],
    [429, "rate_limit_error"],
    [402, "invalid_request_error"],
    [499, "invalid_request_error"],
    [500, "api_error"],
    [502, "api_error"],
    [503, "api_error"],
    [529, "api_error"],
  ])("defaults the type for status %i to %s", (status, type) => {
    expect(new GatewayError({ status, message: "m" }).type).toBe(type);
  });

  it("defaults fault to client below 500 and gateway from 500", () => {
    expect(new GatewayError({ status: 400, message: "m" }).fault).toBe("client");
    expect(new GatewayError({ status: 499, message: "m" }).fault).toBe("client");
    expect(new GatewayError({ status: 500, message: "m" }).fault).toBe("gateway");
    expect(new GatewayError({ status: 503, message: "m" }).fault).toBe("gateway");
  });

  it("renders the OpenAI error shape from toJSON, with nulls kept", () => {
    const error = new GatewayError({ status: 400, message: "Missing model", code: "missing_required_parameter", param: "model" });
    expect(error.toJSON()).toEqual({
      error: { message: "Missing model", type: "invalid_request_error", code: "missing_required_parameter", param: "model" },
    });
    expect(JSON.stringify(new GatewayError({ status: 500, message: "oops" }))).toBe(
      '{"error":{"message":"oops","type":"api_error","code":null,"param":null}}',
    );
  });

  it("does not leak internal fields (fault, plugin, cause, headers) into toJSON", () => {
    const error = new GatewayError({ status: 500, message: "x", fault: "gateway", cause: new Error("secret"), headers: { a: "b" } });
    error.plugin = "p";
    error.hook = "onRequest";
    expect(Object.keys(error.toJSON())).toEqual(["error"]);
    expect(Object.keys(error.toJSON().error).sort()).toEqual(["code", "message", "param", "type"]);
  });

  it("renders a JSON Response with status, content-type and body", async () => {
    const error = new GatewayError({ status: 404, message: "nope", code: "not_found" });
    const response = error.toResponse();
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: { message: "nope", type: "invalid_request_error", code: "not_found", param: null } });
  });

  it("adds the error's own headers and extra headers, the error's own winning on conflict", async () => {
    const error = new GatewayError({ status: 429, message: "slow", headers: { "retry-after": "3", "x-own": "own" } });
    const response = error.toResponse({ "x-request-id": "req_1", "retry-after": "9" });
    expect(response.status).toBe(429);
    expect(response.headers.get("x-own")).toBe("own");
    expect(response.headers.get("x-request-id")).toBe("req_1");
    // A refusal's own Retry-After describes it; context headers must not loosen it.
    expect(response.headers.get("retry-after")).toBe("3");
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("accepts null or no extra headers", () => {
    const error = new GatewayError({ status: 400, message: "m", headers: { "x-own": "1" } });
    expect(error.toResponse(null).headers.get("x-own")).toBe("1");
    expect(error.toResponse().headers.get("x-own")).toBe("1");
  });

  it("can render a fresh Response each time", async () => {
    const error = new GatewayError({ status: 400, message: "m" });
    const first = error.toResponse();
    const second = error.toResponse();
    expect(first).not.toBe(second);
    expect(await first.text()).toBe(await second.text());
  });
});

describe("error helpers", () => {
  it("badRequest is a 400 client error with param and code", () => {
    const error = badRequest("Bad thing", "messages", "invalid_value");
    expect(error.status).toBe(400);
    expect(error.fault).toBe("client");
    expect(error.toJSON().error).toEqual({ message: "Bad thing", type: "invalid_request_error", code: "invalid_value", param: "messages" });
    expect(badRequest("x").toJSON().error).toMatchObject({ code: null, param: null });
  });

  it("modelNotFound mirrors OpenAI's 404", () => {
    const error = modelNotFound("gpt-9");
    expect(error.status).toBe(404);
    expect(error.toJSON().error).toEqual({
      message: "The model 'gpt-9' does not exist or you do not have access to it.",
      type: "invalid_request_error",
      code: "model_not_found",
      param: "model",
    });
  });

  it("notFound names the path", () => {
    const error = notFound("/v2/foo");
    expect(error.status).toBe(404);
    expect(error.message).toBe("Unknown path: /v2/foo");
    expect(error.code).toBe("not_found");
  });

  it("methodNotAllowed is a 405 with an Allow header", () => {
    const response = methodNotAllowed("GET", "/v1/chat/completions", "POST").toResponse();
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("payloadTooLarge is a 413 client error naming the limit", async () => {
    const error = payloadTooLarge(1024);
    expect(error.status).toBe(413);
    expect(error.code).toBe("request_too_large");
    expect(error.message).toBe("Request body is larger than the limit of 1024 bytes.");
    expect(error.fault).toBe("client");
    const response = error.toResponse();
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: { message: error.message, type: "invalid_request_error", code: "request_too_large", param: null } });
  });

  it("clientClosed is a 499 client fault", () => {
    const error = clientClosed();
    expect(error.status).toBe(499);
    expect(error.code).toBe("client_closed_request");
    expect(error.fault).toBe("client");
  });

  it("internalError is a 500 gateway fault keeping its cause", () => {
    const cause = new Error("bug");
    const error = internalError("Something broke", cause);
    expect(error.status).toBe(500);
    expect(error.type).toBe("api_error");
    expect(error.code).toBe("internal_error");
    expect(error.fault).toBe("gateway");
    expect(error.cause).toBe(cause);
  });

  it("toGatewayError keeps a GatewayError and wraps anything else in a 500", () => {
    const existing = badRequest("x");
    expect(toGatewayError(existing)).toBe(existing);
    const wrapped = toGatewayError(new TypeError("undefined is not a function"));
    expect(wrapped.status).toBe(500);
    expect(wrapped.message).toBe("Internal gateway error: undefined is not a function");
    expect(toGatewayError("str").message).toBe("Internal gateway error: str");
  });

  it("isGatewayError recognises only GatewayError instances", () => {
    expect(isGatewayError(badRequest("x"))).toBe(true);
    expect(isGatewayError(new Error("x"))).toBe(false);
    expect(isGatewayError({ status: 400, message: "x" })).toBe(false);
    expect(isGatewayError(null)).toBe(false);
  });
});
