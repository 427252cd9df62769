/**
 * What the `guard` plugin's stream check costs per chunk:
 * 1. one content chunk through the relay (bench/micro/stream-hooks.ts): the pass-through scanner
 *    (no onChunk at all), decode + re-encode with a no-op hook, and with the guard's output check
 *    (every kind of personal data, then also ten blocked terms);
 * 2. the check's own window per 12-character piece of text (what the mock upstream streams), clean
 *    text and text with an email in it, at the default window and a small one;
 * 3. the input check on a typical chat body, against walking the body's text alone.
 * Read the ratios against each group's baseline, measured in the same run.
 * Run: npm run bench:guard
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { StreamWindow } from "../plugins/guard/stream-window.ts";
import { mapText } from "../plugins/guard/json-text.ts";
import { TextPolicy } from "../plugins/guard/text-policy.ts";
import { guard, GUARD_DEFAULT_WINDOW } from "../plugins/index.ts";
import { streamRelayBenches } from "./micro/stream-hooks.ts";

const TERMS = ["project zeus", "project hera", "internal only", "confidential", "darkweb", "exploit kit", "wire fraud", "phishing kit", "malware", "ransomware"];

streamRelayBenches([
  { name: "decode + guard({ output: { pii } }) + re-encode", plugins: () => [guard({ output: { pii: "redact" } })] },
  { name: "decode + guard({ output: { pii, 10 terms } }) + re-encode", plugins: () => [guard({ output: { pii: "redact", blockedTerms: TERMS } })] },
]);

const clean = "The parcel left the depot this morning and should arrive tomorrow before noon. ".repeat(4);
const withEmail = "For questions about the parcel write to jane.doe@example.com before noon. ".repeat(4);
const PIECE = 12;
const ignore = { block: (): never => { throw new Error("unexpected block"); }, redacted: () => {} };

function windowBench(name: string, text: string, hold: number, rules: ConstructorParameters<typeof TextPolicy>[0]): void {
  const window = new StreamWindow(new TextPolicy(rules, "output"), hold, ignore);
  let at = 0;
  bench(name, () => {
    const piece = text.slice(at, at + PIECE);
    at = at + PIECE >= text.length ? 0 : at + PIECE;
    return do_not_optimize(window.push(piece));
  });
}

summary(() => {
  group(`guard stream window, one ${PIECE}-character piece of text`, () => {
    bench("slice the piece alone (baseline)", () => do_not_optimize(clean.slice(24, 24 + PIECE)));
    windowBench(`clean text, pii, window ${GUARD_DEFAULT_WINDOW}`, clean, GUARD_DEFAULT_WINDOW, { pii: "redact" });
    windowBench(`clean text, pii + 10 terms, window ${GUARD_DEFAULT_WINDOW}`, clean, GUARD_DEFAULT_WINDOW, { pii: "redact", blockedTerms: TERMS });
    windowBench(`text with emails, pii, window ${GUARD_DEFAULT_WINDOW}`, withEmail, GUARD_DEFAULT_WINDOW, { pii: "redact" });
    windowBench("clean text, pii, window 32", clean, 32, { pii: "redact" });
  });
});

const chatBody = {
  model: "gpt-4o-mini",
  messages: [
    { role: "system", content: "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(3) },
    { role: "user", content: "Where is order 1234? It left the depot yesterday." },
    { role: "assistant", content: "Order 1234 is in transit and should arrive tomorrow." },
    { role: "user", content: "Can you check the latest scan?" },
  ],
};
const inputPolicy = new TextPolicy({ pii: "redact", blockedTerms: TERMS }, "input");
summary(() => {
  group(`guard input check, ${JSON.stringify(chatBody).length}-byte chat body`, () => {
    bench("walk the body's text, no checks (baseline)", () => do_not_optimize(mapText(chatBody, (t) => t)));
    bench("walk + scan (pii + 10 terms)", () => do_not_optimize(mapText(chatBody, (t) => (inputPolicy.scan(t).length === 0 ? t : t))));
  });
});

await run({ colors: process.stdout.isTTY === true });
