/**
 * What counts as personal data or a secret in text. Each detector is a global RegExp that finds
 * candidates and, where the format has one, a checksum that confirms them (Luhn for card
 * numbers, ISO 7064 mod-97 for IBANs), so that order numbers and dates are not taken for either.
 */
import { secretPattern } from "../../core/redact.ts";

export type PiiKind = "email" | "phone" | "card" | "iban" | "secret";

export const PII_KINDS: readonly PiiKind[] = Object.freeze(["email", "phone", "card", "iban", "secret"]);

export interface Detector {
  readonly kind: PiiKind;
  readonly pattern: RegExp;
  /**
   * Something every value contains, cheap to look for: text without it is not scanned (most text
   * has no `@` and no digit, and a stream rescans its window on every chunk).
   */
  readonly hint: (text: string) => boolean;
  /**
   * Confirms a candidate: returns how many of its characters are the value (a candidate may run
   * on past it), or 0 to reject it. Absent: every candidate is a value.
   */
  readonly confirm?: (candidate: string) => number;
}

/** The Luhn check digit test card numbers carry. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the IBAN, spaces removed, with its first four characters moved to the end, is 1 mod 97. */
export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    // Letters count as two digits (A = 10 … Z = 35); folding digit by digit keeps the number small.
    if (c >= 65) remainder = (remainder * 100 + (c - 55)) % 97;
    else remainder = (remainder * 10 + (c - 48)) % 97;
  }
  return remainder === 1;
}

/** IBAN lengths by country (ISO 13616 registry), so a value followed by more capitals is cut right. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

function confirmIban(candidate: string): number {
  const wanted = IBAN_LENGTHS[candidate.slice(0, 2)];
  let compact = "";
  let end = 0;
  for (let i = 0; i < candidate.length; i++) {
    if (candidate[i] === " ") continue;
    compact += candidate[i];
    end = i + 1;
    if (compact.length === wanted) break;
  }
  if (wanted !== undefined && compact.length !== wanted) return 0;
  return ibanValid(compact) ? end : 0;
}

function confirmCard(candidate: string): number {
  return luhnValid(candidate.replace(/[ -]/g, "")) ? candidate.length : 0;
}

/**
 * A phone number has 8 to 15 digits after a `+` or `00` (E.164's limit), 9 to 12 written
 * nationally, and is written with a country prefix or separators: a bare run of digits is more
 * often an id than a phone.
 * A single dot reads as a decimal number, not a phone.
 */
function confirmPhone(candidate: string): number {
  let digits = 0;
  let separators = 0;
  let dots = 0;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i];
    if (c >= "0" && c <= "9") digits++;
    else if (c !== "+") {
      separators++;
      if (c === ".") dots++;
    }
  }
  const international = candidate.startsWith("+") || candidate.startsWith("00");
  if (international ? digits < 8 || digits > 15 : digits < 9 || digits > 12) return 0;
  if (!international && separators === 0) return 0;
  if (dots === 1) return 0;
  if (candidate.includes("(") !== candidate.includes(")")) return 0;
  return candidate.length;
}

const TWO_DIGITS = /\d\d/;
/** IBANs, card and phone numbers all hold two digits in a row. */
function twoDigits(text: string): boolean {
  return TWO_DIGITS.test(text);
}

/** Detectors in precedence order: where two find overlapping values, the earlier-starting, then longer, wins. */
export function detectors(): Detector[] {
  return [
    { kind: "secret", ...secretPattern() },
    { kind: "email", pattern: /(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])/g, hint: (text) => text.includes("@") },
    { kind: "iban", pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,34}\b/g, hint: twoDigits, confirm: confirmIban },
    { kind: "card", pattern: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g, hint: twoDigits, confirm: confirmCard },
    { kind: "phone", pattern: /(?<![\w+])(?:\+|00)?\(?\d(?:[ .()-]{0,2}\d){7,16}(?![\w])/g, hint: twoDigits, confirm: confirmPhone },
  ];
}
