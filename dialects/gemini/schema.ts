import { isObject } from "../json.ts";

/**
 * Gemini's `parameters` take an OpenAPI-style schema whose type names Google's SDKs spell in
 * capitals (`"OBJECT"`, `"STRING"`); JSON Schema spells them in lower case. The schema with its
 * `type` names lowered, at every depth, for targets that read JSON Schema.
 */
export function jsonSchemaOf(schema: unknown, depth = 0): unknown {
  if (depth > 64) return schema;
  if (Array.isArray(schema)) return schema.map((item) => jsonSchemaOf(item, depth + 1));
  if (!isObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const key in schema) {
    const value = schema[key];
    if (key === "type" && typeof value === "string") out.type = value.toLowerCase();
    else if (key === "type" && Array.isArray(value)) out.type = value.map((t) => (typeof t === "string" ? t.toLowerCase() : t));
    // `properties` maps names to schemas; a property called "type" is a schema, not a type name.
    else if (key === "properties" && isObject(value)) {
      const properties: Record<string, unknown> = {};
      for (const name in value) properties[name] = jsonSchemaOf(value[name], depth + 1);
      out.properties = properties;
    } else out[key] = typeof value === "object" && value !== null ? jsonSchemaOf(value, depth + 1) : value;
  }
  return out;
}
