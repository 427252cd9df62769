/**
 * Scrubbing secrets out of what gets logged. Three nets: header and field names that carry
 * credentials, strings that look like API keys or bearer tokens, and the exact credentials the
 * caller sent on this request (whatever they look like).
 */

export const REDACTED = "[redacted]";

/** Header or JSON field names whose values are credentials (matched case-insensitively). */
const SECRET_NAME = /(?:^|[-_])(?:authorization|api[-_]?key|x[-_]api[-_]key|cookie|set[-_]cookie|token|secret|password|passwd|credentials?|session)(?:$|[-_])|^(?:authorization|cookie|set-cookie|apikey|api_key|api-key|x-api-key|proxy-authorization)$/i;

/**
 * Strings that look like keys: `sk-…` (OpenAI, Anthropic `sk-ant-…`, most gateways), `Bearer …`,
 * AWS access key ids, GitHub and Slack tokens, Google API keys, JWTs, PEM private key headers.
 */
const SECRET_VALUE = /\b(?:sk|rk|pk)-[A-Za-z0-9_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/=-]{8,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/g;

/**
 * What every alternative of SECRET_VALUE contains (keep the two in step): text without any of
 * these holds no key. Plain substring tests, which run far faster than a RegExp alternation.
 */
const SECRET_MARKERS = ["k-", "Bearer", "AKIA", "_", "xox", "AIza", "eyJ", "-----BEGIN"];

function mayHoldSecret(text: string): boolean {
  for (const marker of SECRET_MARKERS) if (text.includes(marker)) return true;
  return false;
}

export function secretPattern(): { pattern: RegExp; hint: (text: string) => boolean } {
  return { pattern: new RegExp(SECRET_VALUE.source, "g"), hint: mayHoldSecret };
}

/** Header names that carry the caller's own credential on a request. */
const CREDENTIAL_HEADERS = ["authorization", "x-api-key", "api-key", "proxy-authorization", "cookie"];

/** Whether `text` holds anything that looks like a key or token. */
export function looksSecret(text: string): boolean {
  SECRET_VALUE.lastIndex = 0;
  return SECRET_VALUE.test(text);
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The credentials a request carried, as they appear in it (`Bearer x` and `x` both), so they can
 * be scrubbed from anything the request echoes back (an upstream error quoting the key, a body).
 */
export function requestSecrets(headers: Headers): string[] {
  const found: string[] = [];
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers.get(name);
    if (value === null || value.length === 0) continue;
    found.push(value);
    const space = value.indexOf(" ");
    if (space > 0 && value.length - space > 4) found.push(value.slice(space + 1).trim());
  }
  return found;
}

/** `text` with every key-like substring and every one of `secrets` replaced. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short values (a one-letter header) would shred the text and protect nothing.
    if (secret.length >= 6 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  SECRET_VALUE.lastIndex = 0;
  return SECRET_VALUE.test(out) ? out.replace(SECRET_VALUE, REDACTED) : out;
}

const MAX_DEPTH = 32;

/** A deep copy of a JSON value with credential fields blanked and key-like strings scrubbed. */
export function redactJson(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return redactText(value, secrets);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    out[key] = isSecretName(key) && field !== null && field !== undefined && field !== "" ? REDACTED : redactJson(field, secrets, depth + 1);
  }
  return out;
}
