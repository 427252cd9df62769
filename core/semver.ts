/**
 * Just enough semver to check a plugin's `requires.core` range: `*`, `x`, exact versions,
 * comparators (`>=1.2.0 <2`), caret, tilde and `||`. Prerelease tags are ignored on purpose:
 * a plugin written for 1.2.0 is meant to load on 1.2.0-beta builds of the core too.
 */
type Version = [number, number, number];

function parse(text: string): { version: Version; parts: number } | null {
  const match = /^v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:[-+].*)?$/i.exec(text.trim());
  if (match === null) return null;
  const fields = [match[1], match[2], match[3]];
  let parts = 0;
  const version: Version = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const field = fields[i];
    if (field === undefined || field === "x" || field === "X" || field === "*") break;
    version[i] = Number(field);
    parts++;
  }
  return { version, parts };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The exclusive upper bound of a partial version: 1 → 2.0.0, 1.2 → 1.3.0. */
function bumpAt(version: Version, parts: number): Version {
  if (parts <= 1) return [version[0] + 1, 0, 0];
  return [version[0], version[1] + 1, 0];
}

function caretUpper(version: Version, parts: number): Version {
  if (version[0] > 0 || parts <= 1) return [version[0] + 1, 0, 0];
  if (version[1] > 0 || parts === 2) return [0, version[1] + 1, 0];
  return [0, 0, version[2] + 1];
}

function testComparator(version: Version, token: string): boolean {
  const match = /^(\^|~|>=|<=|>|<|=)?\s*(.+)$/.exec(token);
  if (match === null) return false;
  const op = match[1] ?? "";
  const parsed = parse(match[2]);
  if (parsed === null) throw new Error(`Invalid version range token "${token}"`);
  const { version: bound, parts } = parsed;
  const cmp = compare(version, bound);
  // `^*`, `~x`, `>=*` … name no bound at all: any version.
  if (parts === 0) return op !== "<" && op !== ">";
  switch (op) {
    case "^":
      return cmp >= 0 && compare(version, caretUpper(bound, parts)) < 0;
    case "~":
      return cmp >= 0 && compare(version, bumpAt(bound, parts >= 2 ? 2 : 1)) < 0;
    case ">=":
      return cmp >= 0;
    case ">":
      return parts === 3 ? cmp > 0 : compare(version, bumpAt(bound, parts)) >= 0;
    case "<=":
      return parts === 3 ? cmp <= 0 : compare(version, bumpAt(bound, parts)) < 0;
    case "<":
      return cmp < 0;
    default:
      if (parts === 0) return true;
      if (parts === 3) return cmp === 0;
      return cmp >= 0 && compare(version, bumpAt(bound, parts)) < 0;
  }
}

export function satisfies(versionText: string, range: string): boolean {
  const parsed = parse(versionText);
  if (parsed === null || parsed.parts < 3) throw new Error(`Invalid version "${versionText}"`);
  return range.split("||").some((alternative) => {
    const tokens = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, "$1").split(/\s+/).filter(Boolean);
    return tokens.every((token) => testComparator(parsed.version, token));
  });
}
