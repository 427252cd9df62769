/**
 * The text a model reads or writes, inside a request or answer body of any dialect: strings under
 * keys that carry prose (`content`, `text`, `input`, `instructions`, `system`, …), and arrays of
 * them. Ids, model names, roles, URLs, base64 data and tool-call arguments are left alone, so a
 * redaction cannot break the structure or an image.
 */

const TEXT_KEYS: ReadonlySet<string> = new Set(["content", "text", "input", "instructions", "system", "prompt", "output", "output_text", "refusal"]);

/** Deeper than any real body nests prose; also bounds the walk on hostile input. */
const MAX_DEPTH = 64;

/**
 * `value` with `change` applied to each of its text strings. Unchanged parts are returned as they
 * are (the same object when nothing changed), so the common case allocates nothing.
 */
export function mapText(value: unknown, change: (text: string) => string, textual = false, depth = 0): unknown {
  if (typeof value === "string") return textual ? change(value) : value;
  if (value === null || typeof value !== "object" || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = mapText(value[i], change, textual, depth + 1);
      if (next !== value[i]) (out ??= value.slice())[i] = next;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | null = null;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const next = mapText(record[key], change, TEXT_KEYS.has(key), depth + 1);
    if (next !== record[key]) (out ??= { ...record })[key] = next;
  }
  return out ?? value;
}
