/**
 * Request validation shared by the dialects: valibot schemas for what the gateway itself relies
 * on, and one way to turn the first issue into a 400 naming the field. Objects are loose, so
 * unknown fields pass through to the provider, which judges them.
 */
import * as v from "valibot";
import { badRequest } from "../core/errors.ts";

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

/** A message: an object with a string `role` (the rest is the upstream's to judge). */
export const roleMessage = v.looseObject(
  {
    role: v.string("must be a string"),
  },
  "must be an object",
);

function pathOf(issue: v.BaseIssue<unknown>): string {
  let path = "";
  for (const item of issue.path ?? []) {
    const key = item.key;
    path += typeof key === "number" ? `[${key}]` : path.length === 0 ? String(key) : `.${String(key)}`;
  }
  return path;
}

/** Throw a 400 `GatewayError` for the first way `body` breaks `schema`, naming the field. */
export function checkBody(schema: v.GenericSchema, body: Record<string, unknown>): void {
  const result = v.safeParse(schema, body, { abortEarly: true });
  if (result.success) return;
  const issue = result.issues[0];
  const path = pathOf(issue);
  const missing = issue.input === undefined;
  const text = missing ? `Missing required parameter: '${path}'.` : `Invalid value for '${path}': ${issue.message}.`;
  throw badRequest(text, path || null, missing ? "missing_required_parameter" : "invalid_value");
}
