/**
 * One Prometheus text for the whole server from each worker's: samples with the same name and
 * labels add up (counters, histogram buckets, sums and counts, in-flight and queue gauges), except
 * gauges that describe a state rather than an amount, where the highest wins: circuit states, and
 * the config version and reload figures, which every worker reports the same.
 */

interface Family {
  readonly header: string[];
  readonly type: string;
  /** Sample key (name and label block) → value, in first-seen order. */
  readonly samples: Map<string, number>;
}

/** Figures every worker reports the same (the server's config status), or a state: the highest wins. */
function highestWins(name: string, type: string): boolean {
  return name.startsWith("switchyard_config_") || (type === "gauge" && name.endsWith("_state"));
}

function familyOf(sample: string): string {
  const end = sample.search(/[{ ]/);
  const name = end === -1 ? sample : sample.slice(0, end);
  return name.replace(/_(bucket|sum|count)$/, "");
}

export function mergeMetrics(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const order: string[] = [];
  const family = (name: string): Family => {
    let found = families.get(name);
    if (found === undefined) {
      found = { header: [], type: "untyped", samples: new Map() };
      families.set(name, found);
      order.push(name);
    }
    return found;
  };
  for (const text of texts) {
    for (const line of text.split("\n")) {
      if (line.length === 0) continue;
      if (line.startsWith("#")) {
        const [, kind, name, ...rest] = line.split(" ");
        if ((kind !== "HELP" && kind !== "TYPE") || name === undefined) continue;
        const target = family(name);
        if (kind === "TYPE") (target as { type: string }).type = rest[0] ?? "untyped";
        if (!target.header.some((h) => h === `# ${kind} ${name}` || h.startsWith(`# ${kind} ${name} `))) target.header.push(line);
        continue;
      }
      const space = line.lastIndexOf(" ");
      if (space <= 0) continue;
      const key = line.slice(0, space);
      const value = Number(line.slice(space + 1));
      const base = familyOf(key);
      const target = families.get(base) ?? families.get(key.split(/[{ ]/)[0]) ?? family(base);
      const previous = target.samples.get(key);
      if (previous === undefined) target.samples.set(key, value);
      else target.samples.set(key, highestWins(base, target.type) ? Math.max(previous, value) : previous + value);
    }
  }
  const out: string[] = [];
  for (const name of order) {
    const { header, samples } = families.get(name)!;
    out.push(...header);
    for (const [key, value] of samples) out.push(`${key} ${format(value)}`);
  }
  out.push("");
  return out.join("\n");
}

function format(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
