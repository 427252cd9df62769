/**
 * Reading and editing JSON as text, without parsing or re-serialising it: a body that passes
 * through keeps its key order, unknown fields and number spellings when the gateway changes one
 * top-level member (the model, say). The scans are iterative, so no input nests deep enough to
 * overflow a stack.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

export function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The index just past the string whose opening quote is at `i`, or -1 when it never closes. The
 * next quote is found with `indexOf` (native, and most of a request body is string content), then
 * the backslashes before it are counted: an odd run escapes it.
 */
export function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let escapes = 0;
    for (let k = quote - 1; k > i && text.charCodeAt(k) === BACKSLASH; k--) escapes++;
    if ((escapes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

/**
 * The index just past the JSON value that starts at `i` (no leading space), or -1 for text that is
 * not well-formed there. Containers are skipped by counting brackets outside strings.
 */
export function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return stringEnd(text, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i;
    while (j < text.length) {
      const code = text.charCodeAt(j);
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isSpace(code)) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code === QUOTE) {
      j = stringEnd(text, j) - 1;
      if (j < 0) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && --depth === 0) return j + 1;
  }
  return -1;
}

/** Where one member of the top-level object sits in the text. */
export interface MemberSpan {
  /** The member's key (its opening quote). */
  readonly start: number;
  readonly valueStart: number;
  readonly valueEnd: number;
}

function keyMatches(text: string, start: number, end: number, key: string): boolean {
  // Keys are nearly always plain; an escaped spelling of the same key still counts.
  if (end - start - 2 === key.length && text.startsWith(key, start + 1)) return true;
  const escape = text.indexOf("\\", start);
  if (escape < 0 || escape >= end) return false;
  try {
    return JSON.parse(text.slice(start, end)) === key;
  } catch {
    return false;
  }
}

/** The top-level member named `key` (when JSON repeats a key, the last one: the value that counts). */
export function topLevelMember(text: string, key: string): MemberSpan | null {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(text, i + 1);
  let found: MemberSpan | null = null;
  while (i < text.length && text.charCodeAt(i) === QUOTE) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return null;
    let j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) return null;
    const valueStart = skipSpace(text, j + 1);
    const end = valueEnd(text, valueStart);
    if (end < 0) return null;
    if (keyMatches(text, i, keyEnd, key)) found = { start: i, valueStart, valueEnd: end };
    j = skipSpace(text, end);
    if (text.charCodeAt(j) !== COMMA) break;
    i = skipSpace(text, j + 1);
  }
  return found;
}

/**
 * `text` (a JSON object) with its top-level `key` set to `valueJson` (already JSON): the value is
 * replaced where the key is, or the member is added at the end. Nothing else in the text changes.
 */
export function withTopLevel(text: string, key: string, valueJson: string): string {
  const member = topLevelMember(text, key);
  if (member !== null) return text.slice(0, member.valueStart) + valueJson + text.slice(member.valueEnd);
  const close = text.lastIndexOf("}");
  if (close < 0) throw new TypeError("not a JSON object");
  let before = close - 1;
  while (before >= 0 && isSpace(text.charCodeAt(before))) before--;
  const empty = text.charCodeAt(before) === OPEN_BRACE;
  return `${text.slice(0, before + 1)}${empty ? "" : ","}${JSON.stringify(key)}:${valueJson}${text.slice(before + 1)}`;
}
