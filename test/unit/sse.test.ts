import { describe, expect, it } from "vitest";
import { OpenAIStreamScanner } from "../../dialects/openai/scanner.ts";
import type { Usage } from "../../core/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: "chatcmpl-ü1",
    object: "chat.completion.chunk",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  });
}

const USAGE_CHUNK = JSON.stringify({
  id: "chatcmpl-ü1",
  object: "chat.completion.chunk",
  created: 1_700_000_000,
  model: "gpt-4o-mini",
  system_fingerprint: "fp_ünïcödé",
  choices: [],
  usage: {
    prompt_tokens: 12,
    completion_tokens: 7,
    total_tokens: 19,
    prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0 },
  },
});

const EXPECTED_USAGE: Usage = { inputTokens: 12, outputTokens: 7, totalTokens: 19, cachedTokens: 4, cacheWriteTokens: 0, reasoningTokens: 2 };

/** The data payloads of an OpenAI stream with include_usage, in order. */
const EVENTS = [
  chunk({ role: "assistant", content: "" }),
  chunk({ content: "Grüße, wörld 😀 — ok" }),
  chunk({ content: "日本語のテキスト" }),
  JSON.stringify({ id: "chatcmpl-ü1", object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  USAGE_CHUNK,
  "[DONE]",
];
const USAGE_INDEX = 4;

function stream(sep = "\n\n", events = EVENTS): string {
  return events.map((data) => `data: ${data}${sep}`).join("");
}

function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function splitAt(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [...new Set(positions)].filter((p) => p > 0 && p < bytes.byteLength).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    parts.push(bytes.slice(from, cut));
    from = cut;
  }
  parts.push(bytes.slice(from));
  return parts;
}

/** Feed the pieces through a scanner; returns everything it let through, including end(). */
function feed(scanner: OpenAIStreamScanner, pieces: Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [];
  for (const piece of pieces) {
    const result = scanner.push(piece);
    if (result !== null) out.push(result);
  }
  const tail = scanner.end();
  if (tail !== null) out.push(tail);
  return concat(out);
}

/** Byte-exact comparison that stays fast in loops and shows a readable diff on failure. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array, label?: string): void {
  if (Buffer.compare(actual, expected) === 0) return;
  expect(decoder.decode(actual), label).toBe(decoder.decode(expected));
  expect(actual, label).toEqual(expected);
}

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Byte offsets that fall inside a multi-byte UTF-8 sequence (continuation bytes). */
function midCharOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let i = 0; i < bytes.byteLength; i++) if ((bytes[i] & 0xc0) === 0x80) offsets.push(i);
  return offsets;
}

describe("OpenAIStreamScanner: pass-through mode", () => {
  it("returns the identical chunk object for every push and nothing at the end", () => {
    const scanner = new OpenAIStreamScanner(false);
    const pieces = splitAt(bytesOf(stream()), [10, 50, 51, 200, 333]);
    for (const piece of pieces) expect(scanner.push(piece)).toBe(piece);
    expect(scanner.end()).toBeNull();
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
    expect(scanner.sawDone).toBe(true);
  });

  it("returns the identical chunk even when the chunk holds only part of an event", () => {
    const scanner = new OpenAIStreamScanner(false);
    const piece = bytesOf('data: {"choices":[{"delta":{"con');
    expect(scanner.push(piece)).toBe(piece);
  });

  it("picks up usage when the whole stream arrives in one chunk", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf(stream()));
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
  });

  it("has no usage before the usage chunk and keeps null for a stream without one", () => {
    const scanner = new OpenAIStreamScanner(false);
    expect(scanner.usage).toBeNull();
    expect(scanner.sawDone).toBe(false);
    const withoutUsage = EVENTS.filter((_, i) => i !== USAGE_INDEX);
    feed(scanner, [bytesOf(stream("\n\n", withoutUsage))]);
    expect(scanner.usage).toBeNull();
    expect(scanner.sawDone).toBe(true);
  });

  it("ignores the usage: null that include_usage puts on every content chunk", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf(`data: ${chunk({ content: "hi" }, { usage: null })}\n\n`));
    expect(scanner.usage).toBeNull();
  });

  it("picks up usage split at every single byte position", () => {
    const bytes = bytesOf(stream());
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const scanner = new OpenAIStreamScanner(false);
      feed(scanner, splitAt(bytes, [cut]));
      expect(scanner.usage, `split at byte ${cut}`).toEqual(EXPECTED_USAGE);
      expect(scanner.sawDone, `split at byte ${cut}`).toBe(true);
    }
  });

  it("picks up usage when fed one byte at a time", () => {
    const bytes = bytesOf(stream());
    const scanner = new OpenAIStreamScanner(false);
    const pieces = Array.from(bytes, (b) => Uint8Array.of(b));
    for (const piece of pieces) expect(scanner.push(piece)).toBe(piece);
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
  });

  it("picks up usage with splits inside multi-byte UTF-8 characters in the usage event", () => {
    const bytes = bytesOf(stream());
    const usageStart = decoderOffset(bytes, `data: ${USAGE_CHUNK}`);
    const inside = midCharOffsets(bytes).filter((o) => o > usageStart && o < usageStart + bytesOf(USAGE_CHUNK).byteLength);
    expect(inside.length).toBeGreaterThan(0);
    for (const cut of inside) {
      const scanner = new OpenAIStreamScanner(false);
      feed(scanner, splitAt(bytes, [cut, cut + 1]));
      expect(scanner.usage, `split at byte ${cut}`).toEqual(EXPECTED_USAGE);
    }
  });

  it("picks up usage with many random splits", () => {
    const bytes = bytesOf(stream());
    const random = rng(42);
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * bytes.byteLength));
      const scanner = new OpenAIStreamScanner(false);
      feed(scanner, splitAt(bytes, cuts));
      expect(scanner.usage, `cuts ${cuts.join(",")}`).toEqual(EXPECTED_USAGE);
    }
  });

  it("keeps the last usage when several chunks carry one", () => {
    const events = [
      chunk({ content: "a" }, { usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }),
      chunk({ content: "b" }, { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
      chunk({ content: "c" }, { usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } }),
      "[DONE]",
    ];
    const scanner = new OpenAIStreamScanner(false);
    feed(scanner, [bytesOf(stream("\n\n", events))]);
    expect(scanner.usage).toEqual({ inputTokens: 5, outputTokens: 3, totalTokens: 8, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("reads usage from a final event that has no trailing blank line", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf(`data: ${chunk({ content: "x" })}\n\ndata: ${USAGE_CHUNK}`));
    expect(scanner.usage).toBeNull();
    expect(scanner.end()).toBeNull();
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
  });

  it("ignores a usage-looking event whose data is not valid JSON", () => {
    const scanner = new OpenAIStreamScanner(false);
    const piece = bytesOf('data: {"usage": {"prompt_tokens": 3,\n\n');
    expect(scanner.push(piece)).toBe(piece);
    expect(scanner.usage).toBeNull();
  });
});

/** Byte offset of `needle`'s first occurrence in the UTF-8 text of `bytes`. */
function decoderOffset(bytes: Uint8Array, needle: string): number {
  const text = decoder.decode(bytes);
  const at = text.indexOf(needle);
  expect(at).toBeGreaterThanOrEqual(0);
  return bytesOf(text.slice(0, at)).byteLength;
}

describe("OpenAIStreamScanner: CRLF event separators", () => {
  it("picks up usage and [DONE] from a CRLF stream split at every byte", () => {
    const bytes = bytesOf(stream("\r\n\r\n"));
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const scanner = new OpenAIStreamScanner(false);
      feed(scanner, splitAt(bytes, [cut]));
      expect(scanner.usage, `split at byte ${cut}`).toEqual(EXPECTED_USAGE);
      expect(scanner.sawDone, `split at byte ${cut}`).toBe(true);
    }
  });

  it("handles a stream that mixes LF and CRLF separators", () => {
    const text = EVENTS.map((data, i) => `data: ${data}${i % 2 === 0 ? "\r\n\r\n" : "\n\n"}`).join("");
    const scanner = new OpenAIStreamScanner(true);
    const out = decoder.decode(feed(scanner, [bytesOf(text)]));
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
    expect(scanner.sawDone).toBe(true);
    expect(out).toBe(text.replace(`data: ${USAGE_CHUNK}\r\n\r\n`, ""));
  });

  it("strips the usage-only chunk with its CRLF separator and keeps the rest byte-identical", () => {
    const text = stream("\r\n\r\n");
    const expected = bytesOf(text.replace(`data: ${USAGE_CHUNK}\r\n\r\n`, ""));
    const random = rng(7);
    const bytes = bytesOf(text);
    for (let round = 0; round < 100; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * bytes.byteLength));
      const scanner = new OpenAIStreamScanner(true);
      expectSameBytes(feed(scanner, splitAt(bytes, cuts)), expected, `cuts ${cuts.join(",")}`);
      expect(scanner.usage).toEqual(EXPECTED_USAGE);
    }
  });
});

describe("OpenAIStreamScanner: strip mode", () => {
  const full = stream();
  const stripped = full.replace(`data: ${USAGE_CHUNK}\n\n`, "");

  it("drops the usage-only chunk and keeps every other event byte-identical", () => {
    const scanner = new OpenAIStreamScanner(true);
    const out = feed(scanner, [bytesOf(full)]);
    expect(out).toEqual(bytesOf(stripped));
    expect(decoder.decode(out)).not.toContain('"usage"');
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
    expect(scanner.sawDone).toBe(true);
  });

  it("produces the same bytes and usage for a split at every byte position", () => {
    const bytes = bytesOf(full);
    const expected = bytesOf(stripped);
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const scanner = new OpenAIStreamScanner(true);
      expectSameBytes(feed(scanner, splitAt(bytes, [cut])), expected, `split at byte ${cut}`);
      expect(scanner.usage, `split at byte ${cut}`).toEqual(EXPECTED_USAGE);
    }
  });

  it("produces the same bytes when every multi-byte character is split", () => {
    const bytes = bytesOf(full);
    const scanner = new OpenAIStreamScanner(true);
    expect(feed(scanner, splitAt(bytes, midCharOffsets(bytes)))).toEqual(bytesOf(stripped));
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
  });

  it("produces the same bytes when fed one byte at a time", () => {
    const bytes = bytesOf(full);
    const scanner = new OpenAIStreamScanner(true);
    expect(feed(scanner, Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(bytesOf(stripped));
  });

  it("only lets whole events out, returning null while an event is incomplete", () => {
    const scanner = new OpenAIStreamScanner(true);
    const first = `data: ${EVENTS[0]}\n\n`;
    expect(scanner.push(bytesOf(first.slice(0, 20)))).toBeNull();
    const out = scanner.push(bytesOf(first.slice(20) + "data: {\"partial"));
    expect(decoder.decode(out!)).toBe(first);
  });

  it("returns null for a chunk that holds only the usage-only event", () => {
    const scanner = new OpenAIStreamScanner(true);
    expect(scanner.push(bytesOf(`data: ${USAGE_CHUNK}\n\n`))).toBeNull();
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
  });

  it("flushes an unterminated final event at the end", () => {
    const scanner = new OpenAIStreamScanner(true);
    expect(scanner.push(bytesOf(`data: ${EVENTS[1]}\n\ndata: [DONE]`))).toEqual(bytesOf(`data: ${EVENTS[1]}\n\n`));
    expect(scanner.sawDone).toBe(false);
    expect(scanner.end()).toEqual(bytesOf("data: [DONE]"));
    expect(scanner.sawDone).toBe(true);
  });

  it("returns null at the end when nothing is pending", () => {
    const scanner = new OpenAIStreamScanner(true);
    scanner.push(bytesOf(full));
    expect(scanner.end()).toBeNull();
  });

  it("keeps a final chunk that carries usage alongside non-empty choices", () => {
    const event = `data: ${chunk({}, { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })}\n\n`;
    const scanner = new OpenAIStreamScanner(true);
    expect(feed(scanner, [bytesOf(event)])).toEqual(bytesOf(event));
    expect(scanner.usage).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("keeps an event with choices: [] that carries no usage (Azure prompt filter results)", () => {
    const event = `data: ${JSON.stringify({ choices: [], prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })}\n\n`;
    const scanner = new OpenAIStreamScanner(true);
    expect(feed(scanner, [bytesOf(event)])).toEqual(bytesOf(event));
  });

  it("keeps events with usage: null", () => {
    const event = `data: ${chunk({ content: "x" }, { usage: null })}\n\n`;
    const scanner = new OpenAIStreamScanner(true);
    expect(feed(scanner, [bytesOf(event)])).toEqual(bytesOf(event));
  });

  it("keeps comments and non-data lines of other events untouched", () => {
    const text = `: keep-alive\n\nevent: message\nid: 7\ndata: ${EVENTS[1]}\n\ndata: ${USAGE_CHUNK}\n\ndata: [DONE]\n\n`;
    const scanner = new OpenAIStreamScanner(true);
    expect(decoder.decode(feed(scanner, [bytesOf(text)]))).toBe(`: keep-alive\n\nevent: message\nid: 7\ndata: ${EVENTS[1]}\n\ndata: [DONE]\n\n`);
  });

  // BUG (core/sse.ts end(), `if (rest.trim().length > 0) this.inspect(rest)`): end() ignores
  // inspect()'s drop decision, so in strip mode a usage-only chunk that ends the stream without a
  // trailing blank line (and without [DONE]) is still sent to the client.
  it("drops an unterminated usage-only chunk at the end of the stream", () => {
    const scanner = new OpenAIStreamScanner(true);
    const out = feed(scanner, [bytesOf(`data: ${EVENTS[1]}\n\ndata: ${USAGE_CHUNK}`)]);
    expect(scanner.usage).toEqual(EXPECTED_USAGE);
    expect(decoder.decode(out)).toBe(`data: ${EVENTS[1]}\n\n`);
  });
});

describe("OpenAIStreamScanner: [DONE]", () => {
  it("sets sawDone only once the [DONE] event is complete", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf(`data: ${EVENTS[1]}\n\n`));
    expect(scanner.sawDone).toBe(false);
    scanner.push(bytesOf("data: [DO"));
    expect(scanner.sawDone).toBe(false);
    scanner.push(bytesOf("NE]\n"));
    expect(scanner.sawDone).toBe(false);
    scanner.push(bytesOf("\n"));
    expect(scanner.sawDone).toBe(true);
  });

  it("detects [DONE] without a trailing blank line at end()", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf("data: [DONE]"));
    expect(scanner.sawDone).toBe(false);
    scanner.end();
    expect(scanner.sawDone).toBe(true);
  });

  it("detects [DONE] with CRLF and keeps it in strip mode", () => {
    const scanner = new OpenAIStreamScanner(true);
    expect(scanner.push(bytesOf("data: [DONE]\r\n\r\n"))).toEqual(bytesOf("data: [DONE]\r\n\r\n"));
    expect(scanner.sawDone).toBe(true);
  });

  it("does not report [DONE] for a stream that was cut off", () => {
    const scanner = new OpenAIStreamScanner(false);
    feed(scanner, [bytesOf(stream("\n\n", EVENTS.slice(0, 3)))]);
    expect(scanner.sawDone).toBe(false);
  });

  // BUG (core/sse.ts inspect(), `event.indexOf("[DONE]") >= 0`): any event whose text contains
  // "[DONE]" (e.g. model output discussing SSE) counts as the terminator.
  it("does not take [DONE] inside content for the end of the stream", () => {
    const scanner = new OpenAIStreamScanner(false);
    scanner.push(bytesOf(`data: ${chunk({ content: "the stream ends with data: [DONE]" })}\n\n`));
    expect(scanner.sawDone).toBe(false);
  });
});
