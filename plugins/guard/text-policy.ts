/**
 * One direction's rules (input or output) compiled once: which kinds of personal data to redact or
 * block, and which terms to block. `scan` finds what the rules care about in a piece of text;
 * `redact` rewrites the text with the redactable findings replaced.
 */
import { type Detector, detectors, PII_KINDS, type PiiKind } from "./detectors.ts";

export type GuardAction = "redact" | "block";

/** One action for every kind, or an action per kind (kinds left out are not looked for). */
export type PiiRules = GuardAction | Partial<Record<PiiKind, GuardAction | "off">>;

/** Why something was refused or rewritten: a kind of personal data, or a blocked term. */
export type GuardReason = PiiKind | "term";

export interface Finding {
  readonly reason: GuardReason;
  readonly action: GuardAction;
  readonly start: number;
  readonly end: number;
}

export interface TextRules {
  pii?: PiiRules;
  /** Words or phrases refused wherever they appear as whole words (case-insensitive). */
  blockedTerms?: readonly string[];
}

const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whole-word, case-insensitive, any run of white space where the term has one. */
function termPattern(terms: readonly string[]): RegExp | null {
  const cleaned = terms.map((t) => t.trim()).filter((t) => t.length > 0);
  if (cleaned.length === 0) return null;
  // Longest first, so "credit card number" wins over "credit card".
  const alternatives = [...new Set(cleaned)].sort((a, b) => b.length - a.length).map((t) => escapeRegExp(t).replace(/\s+/g, "\\s+"));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}_])`, "giu");
}

/** The placeholder a redacted value becomes: it says what was there, never what it was. */
export function placeholder(reason: GuardReason): string {
  return `[REDACTED_${reason.toUpperCase()}]`;
}

export class TextPolicy {
  private readonly active: { detector: Detector; action: GuardAction }[] = [];
  private readonly terms: RegExp | null;
  private readonly termHints: readonly string[];
  /** The longest blocked term, in characters (the stream window must see one whole). */
  readonly longestTerm: number;

  constructor(rules: TextRules, where: string) {
    const pii = rules.pii;
    if (pii !== undefined) {
      const byKind = typeof pii === "string" ? null : pii;
      if (typeof pii === "string" && pii !== "redact" && pii !== "block") throw new TypeError(`guard: ${where}.pii must be "redact", "block" or an object by kind`);
      for (const [kind] of Object.entries(byKind ?? {})) {
        if (!PII_KINDS.includes(kind as PiiKind)) throw new TypeError(`guard: ${where}.pii.${kind} is not a kind of personal data (${PII_KINDS.join(", ")})`);
      }
      for (const detector of detectors()) {
        const action = byKind === null ? pii : byKind[detector.kind];
        if (action === undefined || action === "off") continue;
        if (action !== "redact" && action !== "block") throw new TypeError(`guard: ${where}.pii.${detector.kind} must be "redact", "block" or "off"`);
        this.active.push({ detector, action: action as GuardAction });
      }
    }
    const terms = rules.blockedTerms ?? [];
    if (!Array.isArray(terms) || terms.some((t) => typeof t !== "string")) throw new TypeError(`guard: ${where}.blockedTerms must be an array of strings`);
    this.terms = termPattern(terms);
    this.termHints = [...new Set(terms.map((t) => t.trim().split(/\s+/)[0].toLowerCase()).filter((w) => w.length > 0))];
    this.longestTerm = terms.reduce((max, t) => Math.max(max, t.trim().length), 0);
  }

  /** A term's first word, lower-cased, appears: only then is the term pattern run. */
  private mayHaveTerm(text: string): boolean {
    const lower = text.toLowerCase();
    for (const word of this.termHints) if (lower.includes(word)) return true;
    return false;
  }

  /** Whether there is anything to look for. */
  get empty(): boolean {
    return this.active.length === 0 && this.terms === null;
  }

  /** What the rules find in `text`, in order, none overlapping (the earlier, then the longer, wins). */
  scan(text: string): readonly Finding[] {
    let found: Finding[] | null = null;
    if (this.terms !== null && this.mayHaveTerm(text)) found = collect(this.terms, text, "term", "block", undefined, found);
    for (const { detector, action } of this.active) {
      if (detector.hint(text)) found = collect(detector.pattern, text, detector.kind, action, detector.confirm, found);
    }
    if (found === null) return NO_FINDINGS;
    if (found.length === 1) return found;
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Finding[] = [];
    let reach = -1;
    for (const finding of found) {
      if (finding.start < reach) {
        // Overlaps a kept one: a block must not be lost to a redaction that covers it.
        if (finding.action === "block" && kept[kept.length - 1].action === "redact") kept[kept.length - 1] = { ...kept[kept.length - 1], action: "block", reason: finding.reason };
        continue;
      }
      kept.push(finding);
      reach = finding.end;
    }
    return kept;
  }
}

function collect(
  pattern: RegExp,
  text: string,
  reason: GuardReason,
  action: GuardAction,
  confirm: ((candidate: string) => number) | undefined,
  into: Finding[] | null,
): Finding[] | null {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const length = confirm === undefined ? match[0].length : confirm(match[0]);
    if (length > 0) (into ??= []).push({ reason, action, start: match.index, end: match.index + length });
    // A candidate may run on past its value: look again right after what was taken, so a value
    // next to it (an IBAN after an IBAN) is not swallowed. A refused one is skipped whole.
    if (length > 0) pattern.lastIndex = match.index + length;
  }
  return into;
}

/** The first finding to block on, if any. */
export function firstBlock(findings: readonly Finding[]): Finding | undefined {
  for (const finding of findings) if (finding.action === "block") return finding;
  return undefined;
}

/** `text` with every finding (all redactable: check `firstBlock` first) replaced by its placeholder. */
export function redact(text: string, findings: readonly Finding[]): string {
  let out = "";
  let last = 0;
  for (const finding of findings) {
    out += text.slice(last, finding.start) + placeholder(finding.reason);
    last = finding.end;
  }
  return out + text.slice(last);
}
