import { GatewayError } from "../core/errors.ts";

/**
 * Answers for requests the HTTP server refuses before the gateway sees them (a header block too
 * large, headers or a body that arrive too slowly, bytes that are not HTTP). They have the same
 * JSON error shape and `x-request-id` header as every other answer, and close the connection.
 */

const REASONS: Readonly<Record<number, string>> = { 400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large" };

const PREFIX = /* @__PURE__ */ crypto.randomUUID().slice(0, 8);
let sequence = 0;

/** An id for an answer made outside the gateway (the request never reached it). */
export function serverRequestId(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${PREFIX}s${sequence.toString(36)}`;
}

export function tooManyHeaders(limit: number): GatewayError {
  return new GatewayError({
    status: 431,
    message: `The request has more than ${limit} header fields.`,
    code: "request_header_fields_too_large",
    fault: "client",
  });
}

/** HTTP/1.1 requires a Host header (RFC 9112, section 3.2). */
export function missingHost(): GatewayError {
  return new GatewayError({ status: 400, message: "The request has no Host header, which HTTP/1.1 requires.", code: "bad_request", fault: "client" });
}

/** What a parser or timeout error (Node's `clientError` codes, as Deno and Bun report them too) means for the client. */
export function clientErrorFor(code: string | undefined, limits: { maxHeaderBytes: number; headersTimeoutMs: number; requestTimeoutMs: number }): GatewayError {
  if (code === "HPE_HEADER_OVERFLOW") {
    return new GatewayError({
      status: 431,
      message: `The request line and headers are larger than the limit of ${limits.maxHeaderBytes} bytes.`,
      code: "request_header_fields_too_large",
      fault: "client",
    });
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT" || code === "HPE_HEADERS_TIMEOUT" || code === "ERR_HTTP_HEADERS_TIMEOUT") {
    return new GatewayError({
      status: 408,
      message: `The request did not arrive in time: headers must be complete within ${limits.headersTimeoutMs} ms and the whole request within ${limits.requestTimeoutMs} ms.`,
      code: "request_timeout",
      fault: "client",
    });
  }
  return new GatewayError({ status: 400, message: "Malformed HTTP request.", code: "bad_request", fault: "client" });
}

/** The whole HTTP/1.1 answer for `error`, as bytes to write on a socket the parser gave up on. */
export function rawErrorResponse(error: GatewayError, requestId: string): string {
  const body = JSON.stringify(error.toJSON());
  return (
    `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? "Error"}\r\n` +
    `content-type: application/json\r\ncontent-length: ${new TextEncoder().encode(body).byteLength}\r\n` +
    `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
  );
}
