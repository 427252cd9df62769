import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Length } from "../../core/utf8.ts";

/** What goes out on the wire: lone surrogates become U+FFFD, as every encoder writes them. */
const sent = (text: string): number => new TextEncoder().encode(text).byteLength;

describe("utf8Length", () => {
  it("is the encoded size of any text, short or long, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(utf8Length(text)).toBe(sent(text));
      }),
      { numRuns: 3000 },
    );
  });

  it("counts a surrogate pair once where a step of the encoder would split it", () => {
    const pair = "\u{1F600}";
    for (const before of [16_383, 16_384, 32_767]) {
      for (const text of ["a".repeat(before) + pair + "b".repeat(10), "é".repeat(before) + pair, "a".repeat(before) + "\ud800", "a".repeat(before) + "\udc00x"]) {
        expect(utf8Length(text)).toBe(sent(text));
      }
    }
  });

  it("sizes long mixed texts as the encoder does", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { minLength: 500, maxLength: 2000 }), (parts) => {
        const text = parts.join("");
        expect(utf8Length(text)).toBe(sent(text));
      }),
      { numRuns: 30 },
    );
  });
});
