import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const encoder = new TextEncoder();

/** A stored hash: 64 hex digits, optionally `sha256:`-prefixed. */
export const HEX_HASH = /^(?:sha256:)?([0-9a-f]{64})$/i;

/**
 * Synchronous on purpose: Web Crypto's digest is asynchronous, and on Node each call is a trip
 * through the thread pool that cost more than the rest of the auth check under load. A key is a
 * few dozen bytes, which a JS SHA-256 hashes in about a microsecond.
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}

/** `Authorization: Bearer <key>` (OpenAI clients), `x-api-key: <key>` (Anthropic clients) or `x-goog-api-key: <key>` (Gemini clients). */
export function presentedKey(request: Request): string | null {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match === null ? null : match[1];
  }
  const apiKey = request.headers.get("x-api-key") ?? request.headers.get("x-goog-api-key");
  return apiKey !== null && apiKey.length > 0 ? apiKey.trim() : null;
}

/**
 * The `?key=` query parameter, which Google's API takes in place of `x-goog-api-key` and Gemini
 * clients may send. Read on Gemini surfaces only: keys in URLs end up in access logs, and no other
 * dialect's clients put them there. (The gateway's own logs record the path without its query.)
 */
export function queryKey(url: string): string | null {
  if (!url.includes("key=")) return null;
  const key = new URL(url).searchParams.get("key");
  return key !== null && key.length > 0 ? key : null;
}

/** A new secret: `sk-sy-` and 32 random bytes, base64url. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `sk-sy-${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
