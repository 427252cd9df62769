import { badRequest } from "../core/errors.ts";
import { isObject, type Json } from "./json.ts";

/**
 * A tool call's arguments (JSON text, as the neutral form keeps them) as the object formats with
 * structured arguments require (Anthropic, Gemini, Bedrock); anything else is refused with a 400.
 */
export function toolArgumentsObject(text: string, id: string, format: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    if (isObject(value)) return value;
  } catch {
    // Refused below.
  }
  throw badRequest(`The arguments of tool call '${id}' are not a JSON object, which ${format} requires.`, "messages", "invalid_value");
}
