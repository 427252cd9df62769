import * as v from "valibot";
import { badRequest } from "../core/errors.ts";
import { printable } from "../core/printable.ts";

/**
 * The model id travels on in response headers (`x-switchyard-model`) and log lines, so control
 * characters, which no provider uses in a model id, are refused here rather than breaking either.
 */
export const modelId = v.pipe(
  v.string("must be a string"),
  v.minLength(1, "must not be empty"),
  // deno-lint-ignore no-control-regex
  v.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"),
);

function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = "";
  for (const item of issue.path ?? []) {
    const key = item.key;
    path += typeof key === "number" ? `[${key}]` : path.length === 0 ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** Validate a body against a dialect's schema: the first problem is a 400 naming the field. */
export function check(schema: v.GenericSchema, body: Record<string, unknown>): void {
  const result = v.safeParse(schema, body, { abortEarly: true });
  if (result.success) return;
  const issue = result.issues[0];
  // Field names and values come from the client: quoted back only in printable form.
  const path = printable(pathOf(issue));
  const missing = issue.input === undefined;
  const text = missing ? `Missing required parameter: '${path}'.` : `Invalid value for '${path}': ${printable(issue.message, 300)}.`;
  throw badRequest(text, path || null, missing ? "missing_required_parameter" : "invalid_value");
}
