/**
 * The Prometheus text exposition format (version 0.0.4): escaping and number formatting.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NEEDS_LABEL_ESCAPE = /[\\"\n]/;
const NEEDS_HELP_ESCAPE = /[\\\n]/;

/** A label value between double quotes: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_LABEL_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text: backslash and line feed are escaped (double quotes are not). */
export function escapeHelp(text: string): string {
  if (!NEEDS_HELP_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as Go's ParseFloat reads it: `+Inf`, `-Inf`, `NaN` or a plain number. */
export function formatValue(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (Number.isNaN(value)) return "NaN";
  return String(value);
}

/** `{a="x",b="y"}` for the given names and values, or "" when there are no labels. */
export function labelBlock(names: readonly string[], values: readonly string[], extraName?: string, extraValue?: string): string {
  let out = "";
  for (let i = 0; i < names.length; i++) {
    out += `${i === 0 ? "" : ","}${names[i]}="${escapeLabelValue(values[i])}"`;
  }
  if (extraName !== undefined) out += `${out.length === 0 ? "" : ","}${extraName}="${escapeLabelValue(extraValue!)}"`;
  return out.length === 0 ? "" : `{${out}}`;
}
