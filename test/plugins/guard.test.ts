/**
 * `guard`'s parts on their own: the detectors (with their checksums), the rules of one direction,
 * and the stream window, fed the same answer in every chunking so a value split across chunks
 * is caught wherever the split falls.
 */
import { describe, expect, it } from "vitest";
import { ibanValid, luhnValid } from "../../plugins/guard/detectors.ts";
import { StreamWindow } from "../../plugins/guard/stream-window.ts";
import { type Finding, redact, TextPolicy } from "../../plugins/guard/text-policy.ts";
import { mapText } from "../../plugins/guard/json-text.ts";
import { guard } from "../../plugins/index.ts";

const scrub = (text: string, rules: ConstructorParameters<typeof TextPolicy>[0] = { pii: "redact" }) => {
  const policy = new TextPolicy(rules, "test");
  return redact(text, policy.scan(text));
};

describe("checksums", () => {
  it("Luhn accepts test card numbers and refuses one digit off", () => {
    for (const card of ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"]) expect(luhnValid(card)).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
  });

  it("mod-97 accepts real IBANs and refuses one digit off", () => {
    for (const iban of ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300"]) expect(ibanValid(iban)).toBe(true);
    expect(ibanValid("DE89370400440532013001")).toBe(false);
    expect(ibanValid("XX00")).toBe(false);
  });
});

describe("detectors", () => {
  it("finds each kind and says which it was, never keeping the value", () => {
    expect(scrub("mail jane.doe+work@example.co.uk today")).toBe("mail [REDACTED_EMAIL] today");
    expect(scrub("call +44 20 7946 0958 or (415) 555-0100.")).toBe("call [REDACTED_PHONE] or [REDACTED_PHONE].");
    expect(scrub("card 4111 1111 1111 1111, exp 12/29")).toBe("card [REDACTED_CARD], exp 12/29");
    expect(scrub("pay DE89 3704 0044 0532 0130 00 AND GB82 WEST 1234 5698 7654 32")).toBe("pay [REDACTED_IBAN] AND [REDACTED_IBAN]");
    expect(scrub("keys sk-proj-abcdefghijklmnopqrstuvwx1234 and AKIAIOSFODNN7EXAMPLE")).toBe("keys [REDACTED_SECRET] and [REDACTED_SECRET]");
  });

  it("finds every kind of key the log redaction knows", () => {
    const keys = [
      "sk-ant-api03-abcdefghijklmnop", "rk-live-abcdefghijkl", "pk-abcdefghijkl", "Bearer abcdefghijklmnop", "AKIAIOSFODNN7EXAMPLE",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github_pat_abcdefghijklmnopqrstuv", "xoxb-1234567890-abcdef",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz01234", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop", "-----BEGIN RSA PRIVATE KEY-----",
    ];
    for (const key of keys) expect(scrub(`here: ${key} end`, { pii: { secret: "redact" } }), key).toBe("here: [REDACTED_SECRET] end");
  });

  it("leaves numbers that fail their checksum or their shape alone", () => {
    const plain = "card 4111 1111 1111 1112, iban GB82 WEST 1234 5698 7654 33, on 2024-01-15, pi 3.14159265, order 123456789012, v1.2.3";
    const policy = new TextPolicy({ pii: { card: "redact", iban: "redact", phone: "redact" } }, "test");
    expect(policy.scan(plain)).toEqual([]);
  });

  it("looks only for the kinds it is given", () => {
    expect(scrub("jane@example.com, 4111 1111 1111 1111", { pii: { card: "redact", email: "off" } })).toBe("jane@example.com, [REDACTED_CARD]");
  });

  it("matches blocked terms as whole words, case-insensitively, across any white space", () => {
    const policy = new TextPolicy({ blockedTerms: ["Project Zeus", "darkweb"] }, "test");
    expect(policy.scan("about project\n  ZEUS today").map((f) => [f.reason, f.action])).toEqual([["term", "block"]]);
    expect(policy.scan("the darkwebs and projectzeus")).toEqual([]);
  });

  it("lets a block win over a redaction that covers it", () => {
    const policy = new TextPolicy({ pii: { email: "redact" }, blockedTerms: ["evil"] }, "test");
    const findings = policy.scan("write to evil@example.com");
    expect(findings.some((f) => f.action === "block")).toBe(true);
  });

  it("refuses rules it does not know", () => {
    expect(() => new TextPolicy({ pii: { ssn: "block" } as never }, "input")).toThrow(/input\.pii\.ssn is not a kind/);
    expect(() => new TextPolicy({ pii: "hide" as never }, "input")).toThrow(/must be "redact", "block"/);
    expect(() => guard({})).toThrow(/give `input` or `output`/);
    expect(() => guard({ output: { window: 0 } })).toThrow(/output\.window must be a positive integer/);
  });
});

describe("text of a body", () => {
  it("changes prose only, and returns the same object when nothing changes", () => {
    const body = {
      model: "jane@example.com",
      messages: [
        { role: "user", content: [{ type: "text", text: "I am jane@example.com" }, { type: "image_url", image_url: { url: "data:image/png;base64,jane@example.com" } }] },
        { role: "assistant", tool_calls: [{ id: "call_1", function: { name: "f", arguments: "{\"to\":\"jane@example.com\"}" } }] },
      ],
    };
    const out = mapText(body, (t) => t.replaceAll("jane@example.com", "X")) as typeof body;
    expect(out.model).toBe("jane@example.com");
    expect((out.messages[0].content as { text?: string }[])[0].text).toBe("I am X");
    expect(out.messages[0].content?.[1]).toBe(body.messages[0].content?.[1]);
    expect(out.messages[1]).toBe(body.messages[1]);
    expect(mapText(body, (t) => t)).toBe(body);
  });
});

describe("the stream window", () => {
  const answer = "Hello. Write to jane.doe@example.com or call +44 20 7946 0958; card 4111 1111 1111 1111 is on file. Bye.";
  const expected = "Hello. Write to [REDACTED_EMAIL] or call [REDACTED_PHONE]; card [REDACTED_CARD] is on file. Bye.";

  function run(text: string, size: number, rules: ConstructorParameters<typeof TextPolicy>[0], hold = 48) {
    const redacted: Finding[] = [];
    const sent: string[] = [];
    const window = new StreamWindow(new TextPolicy(rules, "output"), hold, {
      block(finding) {
        throw Object.assign(new Error(`blocked ${finding.reason}`), { sent: sent.join("") });
      },
      redacted: (finding) => void redacted.push(finding),
    });
    for (let i = 0; i < text.length; i += size) sent.push(window.push(text.slice(i, i + size)));
    sent.push(window.flush());
    return { text: sent.join(""), redacted, pieces: sent };
  }

  it("redacts values split across chunks, wherever the split falls", () => {
    for (let size = 1; size <= 24; size++) {
      const { text, redacted } = run(answer, size, { pii: "redact" });
      expect(text, `chunks of ${size}`).toBe(expected);
      expect(redacted.map((f) => f.reason)).toEqual(["email", "phone", "card"]);
    }
  });

  it("blocks a term split across chunks before any of it is sent", () => {
    const text = "Our codename is Project Zeus and it ships soon.";
    for (let size = 1; size <= 12; size++) {
      let error: (Error & { sent?: string }) | null = null;
      try {
        run(text, size, { blockedTerms: ["project zeus"] }, 16);
      } catch (e) {
        error = e as Error & { sent?: string };
      }
      expect(error?.message, `chunks of ${size}`).toBe("blocked term");
      expect(error?.sent ?? "").not.toMatch(/Proj|Zeus/);
    }
  });

  it("holds back no more than its window, so the text keeps flowing", () => {
    const long = "word ".repeat(200);
    const { pieces } = run(long, 5, { pii: "redact" }, 32);
    let sent = 0;
    for (let i = 0; i < pieces.length - 1; i++) {
      sent += pieces[i].length;
      const received = Math.min((i + 1) * 5, long.length);
      // Held back: at most the window, plus a word to reach a boundary.
      expect(received - sent).toBeLessThanOrEqual(32 + 5);
    }
  });

  it("does not stall on a run with no word boundary", () => {
    const blob = "A".repeat(1000);
    const { pieces, text } = run(blob, 10, { pii: "redact" }, 32);
    expect(text).toBe(blob);
    expect(pieces.slice(0, -1).join("").length).toBeGreaterThanOrEqual(1000 - 64);
  });
});
