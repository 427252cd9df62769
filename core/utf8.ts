/** Below this many characters a loop beats a call into the encoder. */
const SHORT = 64;
/** Characters encoded per step: their UTF-8 fits the scratch buffer (at most 3 bytes each). */
const STEP = 16_384;
const encoder = new TextEncoder();
const scratch = new Uint8Array(STEP * 3);

/**
 * UTF-8 length of `text` without keeping an encoded copy: the engine's encoder writes it in steps
 * into one small scratch buffer (about twenty times faster than a JavaScript loop on a long text,
 * and a prompt of 100 kB is common). Lone surrogates count as the 3 bytes of U+FFFD, as they are
 * sent.
 */
export function utf8Length(text: string): number {
  if (text.length < SHORT) return shortLength(text);
  let bytes = 0;
  for (let at = 0; at < text.length;) {
    let end = Math.min(at + STEP, text.length);
    // Never split a surrogate pair between two steps.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    bytes += encoder.encodeInto(at === 0 && end === text.length ? text : text.slice(at, end), scratch).written;
    at = end;
  }
  return bytes;
}

function shortLength(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
