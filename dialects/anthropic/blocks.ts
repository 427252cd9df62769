/** Pieces both directions of the Anthropic request and response translation share. */
import type { CacheHint } from "../../core/canonical.ts";
import { badRequest, type GatewayError } from "../../core/errors.ts";
import { type Json, isObject } from "../json.ts";

/** `cache_control` as a neutral hint, or undefined when absent or of a kind the neutral form has no word for. */
export function cacheOf(value: unknown): CacheHint | undefined {
  if (!isObject(value) || value.type !== "ephemeral") return undefined;
  return value.ttl === "5m" || value.ttl === "1h" ? { type: "ephemeral", ttl: value.ttl } : { type: "ephemeral" };
}

/** `part` with its cache hint, leaving the key out when there is none (so parts compare equal). */
export function withCache<T extends object>(part: T, cache: CacheHint | undefined): T {
  return cache === undefined ? part : { ...part, cache };
}

/** `block` with `cache_control` when the part carries a hint. */
export function withCacheControl(block: Json, cache: CacheHint | undefined): Json {
  if (cache !== undefined) block.cache_control = cache.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: cache.ttl };
  return block;
}

/** What cannot cross into or out of Anthropic Messages without changing the request's meaning. */
export function untranslatable(what: string, param: string | null, side: "from" | "to"): GatewayError {
  const reason = side === "from"
    ? "cannot be translated for this target, which does not speak Anthropic Messages"
    : "has no Anthropic Messages counterpart, so it cannot be sent to this Anthropic-format target";
  return badRequest(`${what} ${reason}.`, param, "unsupported_parameter");
}

/** Tool-call arguments (JSON text) as the object Anthropic's `input` holds, or null when they are not one. */
export function inputOf(args: string): Json | null {
  if (args.trim().length === 0) return {};
  try {
    const value: unknown = JSON.parse(args);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 text as base64 (a plain-text document becomes a neutral base64 source). */
export function base64OfText(text: string): string {
  const bytes = encoder.encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** base64 of UTF-8 text back as text, or null when it is not base64. */
export function textOfBase64(data: string): string | null {
  try {
    const binary = atob(data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
