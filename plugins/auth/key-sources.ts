import type { AuthKey } from "./index.ts";
import { readEnv } from "../../runtimes/env.ts";

/** Where keys come from, besides the config itself. */
export interface KeySources {
  keys?: AuthKey[];
  env?: string;
  file?: string;
}


/** A key list as JSON: an array of keys, or `{ "keys": [...] }`. */
function parseKeyList(text: string, where: string): AuthKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error(`${where} must hold a JSON array of keys, or { "keys": [...] }`);
  return list as AuthKey[];
}

/**
 * Gather keys from config, an environment variable and a file, each labelled for error messages.
 * The file is read with `node:fs` (Node, Bun and Deno all provide it), imported only when used.
 */
export async function loadKeys(sources: KeySources): Promise<{ entry: AuthKey; where: string }[]> {
  const out: { entry: AuthKey; where: string }[] = [];
  (sources.keys ?? []).forEach((entry, index) => out.push({ entry, where: `keys[${index}]` }));
  if (sources.env !== undefined) {
    const text = readEnv(sources.env);
    if (text === undefined || text.trim() === "") throw new Error(`environment variable ${sources.env} is not set (it should hold a JSON array of keys)`);
    parseKeyList(text, `environment variable ${sources.env}`).forEach((entry, index) => out.push({ entry, where: `${sources.env}[${index}]` }));
  }
  if (sources.file !== undefined) {
    const { readFile } = await import("node:fs/promises");
    let text: string;
    try {
      text = await readFile(sources.file, "utf8");
    } catch (error) {
      throw new Error(`cannot read key file ${sources.file}: ${(error as Error).message}`);
    }
    parseKeyList(text, `key file ${sources.file}`).forEach((entry, index) => out.push({ entry, where: `${sources.file}[${index}]` }));
  }
  return out;
}
