import * as v from "valibot";
import type { Limits } from "../core/key-store.ts";

const positiveInteger = v.pipe(v.number("must be a number"), v.integer("must be an integer"), v.minValue(1, "must be at least 1"), v.maxValue(1e12, "is too large"));

/** The limit fields a key or team record may set, as valibot entries (the admin API and `auth` share them). */
export const LIMIT_ENTRIES = {
  rpm: v.optional(positiveInteger),
  tpm: v.optional(positiveInteger),
  concurrent: v.optional(positiveInteger),
  budgetUsd: v.optional(v.pipe(v.number("must be a number"), v.minValue(0, "must be 0 or more"), v.maxValue(1e12, "is too large"))),
  budgetPeriod: v.optional(v.picklist(["day", "month", "total"], 'must be "day", "month" or "total"')),
};

const limitsSchema = v.looseObject(LIMIT_ENTRIES);

/** The first problem of a valibot parse as `field: message`, for config errors and 400s. */
export function firstIssue(issues: readonly v.BaseIssue<unknown>[]): { path: string; message: string } {
  const issue = issues[0];
  const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
  const unknownKey = issue.type === "strict_object" && issue.expected === "never";
  return { path, message: unknownKey ? "is not a known field" : issue.message };
}

/** The limits an entry sets (undefined when none), or a throw naming the field under `where`. */
export function limitsOf(entry: Record<string, unknown>, where: string): Limits | undefined {
  const result = v.safeParse(limitsSchema, entry);
  if (!result.success) {
    const { path, message } = firstIssue(result.issues);
    throw new Error(`${where}.${path} ${message}`);
  }
  const { rpm, tpm, concurrent, budgetUsd, budgetPeriod } = result.output;
  if (rpm === undefined && tpm === undefined && concurrent === undefined && budgetUsd === undefined && budgetPeriod === undefined) return undefined;
  return Object.freeze({ rpm, tpm, concurrent, budgetUsd, budgetPeriod });
}
