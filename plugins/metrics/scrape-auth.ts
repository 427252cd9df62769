import { sha256 } from "@noble/hashes/sha2.js";

const encoder = new TextEncoder();

/** Equal digests, compared in time that does not depend on where they differ. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function unauthorized(): Response {
  const body = { error: { message: "The metrics endpoint needs Authorization: Bearer <token>.", type: "authentication_error", code: "invalid_api_key", param: null } };
  return Response.json(body, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
}

/**
 * A check for scrapes when `token` is set: null lets the request through, otherwise the 401 to
 * answer. Only the token's SHA-256 is kept, and the presented one is compared digest to digest.
 */
export function scrapeGuard(token: string | undefined): (request: Request) => Response | null {
  if (token === undefined) return () => null;
  if (typeof token !== "string" || token.length < 16) throw new TypeError("metrics: token must be a string of at least 16 characters");
  const expected = sha256(encoder.encode(token));
  return (request) => {
    const header = request.headers.get("authorization");
    const presented = header !== null && /^bearer /i.test(header) ? header.slice(7).trim() : null;
    return presented !== null && sameDigest(sha256(encoder.encode(presented)), expected) ? null : unauthorized();
  };
}
