/**
 * Model patterns as keys and routes use them: an exact id, or a glob where `*` matches any run of
 * characters (`openai/*`, `gpt-4o*`). Compiled once into one predicate.
 */
export function compileModelMatcher(patterns: readonly string[]): (model: string) => boolean {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern === "*") return () => true;
    if (!pattern.includes("*")) exact.add(pattern);
    else globs.push(new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`));
  }
  if (globs.length === 0) return (model) => exact.has(model);
  return (model) => exact.has(model) || globs.some((glob) => glob.test(model));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
