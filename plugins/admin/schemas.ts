import * as v from "valibot";
import { LIMIT_ENTRIES } from "../limits.ts";

/** Ids of keys and teams: what logs, metrics and URLs carry. */
export const ID = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/, "must be 1 to 128 letters, digits or _ . : @ -, starting with a letter or digit"),
);

const names = v.pipe(
  v.array(v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty"), v.maxLength(256, "is too long")), "must be an array of strings"),
  v.maxLength(200, "has too many entries"),
);

const metadata = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(128, "has a key that is too long")), v.pipe(v.string("must hold strings"), v.maxLength(2048, "has a value that is too long")), "must be an object of strings"),
  v.check((value) => Object.keys(value).length <= 64, "has too many entries"),
);

const instant = v.pipe(
  v.string("must be an ISO 8601 date"),
  v.check((text) => Number.isFinite(Date.parse(text)), "must be an ISO 8601 date"),
  v.transform((text) => new Date(text).toISOString()),
);

const keyFields = {
  team: v.optional(ID),
  models: v.optional(names),
  tags: v.optional(names),
  metadata: v.optional(metadata),
  disabled: v.optional(v.boolean("must be true or false")),
  expiresAt: v.optional(instant),
  ...LIMIT_ENTRIES,
};

export const CreateKey = v.strictObject({ id: v.optional(ID), ...keyFields }, "must be a JSON object");

/** A PATCH: fields given replace, `null` removes. */
function nullable<T extends Record<string, v.OptionalSchema<v.GenericSchema, undefined>>>(fields: T) {
  return Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, v.optional(v.nullable(schema.wrapped))])) as {
    [K in keyof T]: v.OptionalSchema<v.NullableSchema<T[K]["wrapped"], undefined>, undefined>;
  };
}

export const UpdateKey = v.strictObject(nullable(keyFields), "must be a JSON object");

const teamFields = { metadata: v.optional(metadata), ...LIMIT_ENTRIES };

export const CreateTeam = v.strictObject({ id: ID, ...teamFields }, "must be a JSON object");
export const UpdateTeam = v.strictObject(nullable(teamFields), "must be a JSON object");

export const SpendQuery = v.strictObject(
  {
    by: v.optional(v.picklist(["key", "team", "model"], 'must be "key", "team" or "model"'), "key"),
    from: v.optional(instant),
    to: v.optional(instant),
  },
  "must be query parameters",
);

export const AuditQuery = v.strictObject(
  {
    limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,4}$/, "must be a number from 1 to 1000"), v.transform(Number), v.minValue(1, "must be a number from 1 to 1000"), v.maxValue(1000, "must be a number from 1 to 1000"))),
    target: v.optional(v.pipe(v.string(), v.maxLength(200, "is too long"))),
  },
  "must be query parameters",
);

export const ListKeysQuery = v.strictObject({ team: v.optional(ID) }, "must be query parameters");
