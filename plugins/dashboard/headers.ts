/**
 * Every dashboard answer carries these: scripts, styles and connections only from the gateway
 * itself, no framing, no MIME sniffing, no referrer leaving the page.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
});

/** A response with the security headers and `headers` on top. */
export function secured(body: BodyInit | null, status: number, headers: Record<string, string>): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, ...headers } });
}

/** A JSON answer that no cache keeps. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return secured(JSON.stringify(body), status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
}

/** A JSON error in the admin API's shape. */
export function problem(status: number, code: string, message: string): Response {
  return jsonAnswer(status, { error: { type: status === 401 ? "authentication_error" : "invalid_request_error", code, message } });
}
