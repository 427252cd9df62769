/** `--name value` and bare `--flag` arguments, for the soak's processes. */
export type Flags = Map<string, string>;

export function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) flags.set(arg.slice(2), "true");
    else {
      flags.set(arg.slice(2), next);
      i++;
    }
  }
  return flags;
}

export function numberFlag(flags: Flags, name: string, fallback: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0, got "${text}"`);
  return value;
}
