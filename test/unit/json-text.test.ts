import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringEnd, topLevelMember, withTopLevel } from "../../core/json-text.ts";

/** The plain reading of a JSON string's end: walk it, a backslash skips the next character. */
function referenceStringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const code = text.charCodeAt(j);
    if (code === 92) j++;
    else if (code === 34) return j + 1;
  }
  return -1;
}

const key = fc.constantFrom("model", "messages", "stream", "mo\"del", "mödel", "a\\b", "");
const member = fc.tuple(key, fc.jsonValue({ maxDepth: 3 }));
/** Object text with the members in order, duplicates kept (JSON.parse keeps the last). */
const objectText = fc.tuple(fc.array(member, { maxLength: 6 }), fc.constantFrom("", " ", "\n  ")).map(([members, space]) =>
  `{${space}${members.map(([k, v]) => `${JSON.stringify(k)}${space}:${space}${JSON.stringify(v)}`).join(`,${space}`)}${space}}`
);

describe("JSON text scans", () => {
  it("find a string's end as a character-by-character walk does, on any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", "\"", "\\", "é", "\n"), maxLength: 40 }), fc.nat(40), (tail, at) => {
        const text = `"${tail}`;
        const i = Math.min(at, text.length - 1);
        expect(stringEnd(text, i)).toBe(referenceStringEnd(text, i));
      }),
      { numRuns: 5000 },
    );
  });

  it("locate the top-level member JSON.parse would keep", () => {
    fc.assert(
      fc.property(objectText, key, (text, name) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const span = topLevelMember(text, name);
        if (!Object.hasOwn(parsed, name)) expect(span).toBeNull();
        else expect(JSON.parse(text.slice(span!.valueStart, span!.valueEnd))).toEqual(parsed[name]);
      }),
      { numRuns: 3000 },
    );
  });

  it("set a top-level member, keeping everything else as it was", () => {
    fc.assert(
      fc.property(objectText, key, fc.jsonValue({ maxDepth: 2 }), (text, name, value) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        const changed = JSON.parse(withTopLevel(text, name, JSON.stringify(value))) as Record<string, unknown>;
        expect(changed).toEqual(JSON.parse(JSON.stringify({ ...parsed, [name]: value })));
      }),
      { numRuns: 3000 },
    );
  });

  it("skip long string content, escapes and multi-byte text included", () => {
    const content = 'say \\"hi\\" \\\\ and é中\u{1F600} '.repeat(5000);
    const text = `{"messages":[{"role":"user","content":"${content}"}],"model":"a","stream":true}`;
    expect(JSON.parse(text.slice(topLevelMember(text, "model")!.valueStart, topLevelMember(text, "model")!.valueEnd))).toBe("a");
    expect(JSON.parse(withTopLevel(text, "model", '"b"')).model).toBe("b");
  });
});
