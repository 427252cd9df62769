import type { RequestContext } from "../../core/context.ts";

type OneOrMany = string | readonly string[];

/**
 * When a routing rule applies. Every field given must hold (AND); a field that lists several
 * values holds when any of them matches (OR). A function decides on its own.
 */
export interface RouteCondition {
  /** Request header → accepted values; `"*"` accepts any value as long as the header is present. */
  header?: Record<string, OneOrMany>;
  /** The request body's `metadata` object (OpenAI's field) → accepted values. */
  metadata?: Record<string, OneOrMany>;
  /** The caller's key id (set by an auth plugin). */
  key?: OneOrMany;
  team?: OneOrMany;
  /** Holds when the caller's key carries any of these tags. */
  tags?: OneOrMany;
}

export type RouteWhen = RouteCondition | ((ctx: RequestContext) => boolean);

export type Predicate = (ctx: RequestContext) => boolean;

const KNOWN = new Set(["header", "metadata", "key", "team", "tags"]);

function valueSet(value: unknown, where: string): ReadonlySet<string> {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === "string")) {
    throw new Error(`${where} must be a string or a non-empty array of strings`);
  }
  return new Set(list);
}

function fieldMatchers(record: unknown, where: string, lowerNames: boolean): [string, ReadonlySet<string> | null][] {
  if (record === null || typeof record !== "object" || Array.isArray(record)) throw new Error(`${where} must be an object of name → values`);
  const entries = Object.entries(record as Record<string, unknown>);
  if (entries.length === 0) throw new Error(`${where} must name at least one field`);
  // `null` stands for "*": present with any value.
  return entries.map(([name, values]) => [lowerNames ? name.toLowerCase() : name, values === "*" ? null : valueSet(values, `${where}.${name}`)]);
}

/** Compile a rule's condition once, at build time, into one predicate. */
export function compileCondition(when: RouteWhen, where: string): Predicate {
  if (typeof when === "function") return when;
  if (when === null || typeof when !== "object") throw new Error(`${where} must be an object of conditions or a function`);
  for (const key of Object.keys(when)) {
    if (!KNOWN.has(key)) throw new Error(`${where}.${key} is not a known condition (use header, metadata, key, team or tags)`);
  }
  const checks: Predicate[] = [];
  if (when.header !== undefined) {
    for (const [name, accepted] of fieldMatchers(when.header, `${where}.header`, true)) {
      checks.push((ctx) => {
        const value = ctx.request.headers.get(name);
        return value !== null && (accepted === null || accepted.has(value));
      });
    }
  }
  if (when.metadata !== undefined) {
    for (const [name, accepted] of fieldMatchers(when.metadata, `${where}.metadata`, false)) {
      checks.push((ctx) => {
        const metadata = ctx.body?.metadata;
        if (metadata === null || typeof metadata !== "object") return false;
        const value = (metadata as Record<string, unknown>)[name];
        return typeof value === "string" && (accepted === null || accepted.has(value));
      });
    }
  }
  if (when.key !== undefined) {
    const keys = valueSet(when.key, `${where}.key`);
    checks.push((ctx) => ctx.principal !== null && keys.has(ctx.principal.id));
  }
  if (when.team !== undefined) {
    const teams = valueSet(when.team, `${where}.team`);
    checks.push((ctx) => ctx.principal?.team !== undefined && teams.has(ctx.principal.team));
  }
  if (when.tags !== undefined) {
    const tags = valueSet(when.tags, `${where}.tags`);
    checks.push((ctx) => {
      const own = ctx.principal?.tags;
      if (own === undefined) return false;
      for (const tag of own) if (tags.has(tag)) return true;
      return false;
    });
  }
  if (checks.length === 0) throw new Error(`${where} has no condition`);
  if (checks.length === 1) return checks[0];
  return (ctx) => {
    for (const check of checks) if (!check(ctx)) return false;
    return true;
  };
}
