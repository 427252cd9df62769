import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const encoder = new TextEncoder();

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order (which
 * JSON does not give meaning to) have one text. Array order is kept: it means something.
 */
export function canonicalJson(value: unknown, skip?: ReadonlySet<string>): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i > 0 ? "," : "") + canonicalJson(value[i] === undefined ? null : value[i]);
    return out + "]";
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = "{";
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === "function" || (skip !== undefined && skip.has(key))) continue;
    out += (first ? "" : ",") + JSON.stringify(key) + ":" + canonicalJson(v);
    first = false;
  }
  return out + "}";
}

/**
 * Hex SHA-256 of a string. Synchronous (@noble/hashes, as auth hashes keys): Web Crypto's digest
 * is a thread-pool job on Node, which would start the lookup after the limits' store calls
 * instead of beside them.
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}
