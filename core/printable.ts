/**
 * Client text quoted in an error message (a JSON parser's complaint, a field's value or name):
 * control characters and replacement characters become "?", so no raw bytes of a request are
 * echoed back or reach a log line, and it is cut to `max` characters.
 */
export function printable(text: string, max = 200): string {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
