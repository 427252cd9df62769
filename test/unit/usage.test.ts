import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractUsageFromJson, usageFromOpenAI, usageObjectAt } from "../../dialects/openai/usage.ts";

/** The reading by regular expression: the last `"usage": {` in the text, left to right. */
function byRegExp(text: string): ReturnType<typeof extractUsageFromJson> {
  const key = /"usage"[ \t\r\n]*:[ \t\r\n]*\{/g;
  let start = -1;
  for (let m = key.exec(text); m !== null; m = key.exec(text)) start = m.index + m[0].length - 1;
  return start < 0 ? null : usageObjectAt(text, start);
}

describe("usageFromOpenAI", () => {
  it("normalises a chat usage object with nested details", () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128, audio_tokens: 0, accepted_prediction_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 1200, outputTokens: 300, totalTokens: 1500, cachedTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 128 });
  });

  it("defaults missing or null details to zero", () => {
    expect(usageFromOpenAI({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 })).toEqual({
      inputTokens: 3,
      outputTokens: 4,
      totalTokens: 7,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(
      usageFromOpenAI({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: null, completion_tokens_details: null }),
    ).toMatchObject({ cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(usageFromOpenAI({ prompt_tokens: 3, prompt_tokens_details: {}, completion_tokens_details: {} })).toMatchObject({
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("normalises embeddings usage (no completion tokens)", () => {
    expect(usageFromOpenAI({ prompt_tokens: 8, total_tokens: 8 })).toEqual({
      inputTokens: 8,
      outputTokens: 0,
      totalTokens: 8,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("computes total_tokens when it is absent", () => {
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 5 })?.totalTokens).toBe(15);
  });

  it("keeps the upstream total_tokens when present, even if it differs from the sum", () => {
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 20 })?.totalTokens).toBe(20);
  });

  it("counts non-numeric and non-finite fields as zero", () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: "10",
        completion_tokens: Number.NaN,
        total_tokens: Number.POSITIVE_INFINITY,
        prompt_tokens_details: { cached_tokens: "4" },
      }),
    ).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("returns zeros for an empty object", () => {
    expect(usageFromOpenAI({})).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("returns null for anything that is not an object", () => {
    for (const raw of [null, undefined, 42, "usage", true]) expect(usageFromOpenAI(raw)).toBeNull();
  });
});

describe("extractUsageFromJson", () => {
  it("reads the last usage object as a left-to-right search would, in any text", () => {
    const piece = fc.constantFrom('"usage"', ":", " ", "{", "}", '"prompt_tokens":3', ",", '"', "\\", "x", '{"usage":{"prompt_tokens":1,"completion_tokens":2}}', '"usage":null');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join("");
        expect(extractUsageFromJson(text)).toEqual(byRegExp(text));
      }),
      { numRuns: 5000 },
    );
  });

  const chatCompletion = {
    id: "chatcmpl-abc",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-2024-08-06",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "Here is {some} text with braces } and { unbalanced", refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: {
      prompt_tokens: 19,
      completion_tokens: 10,
      total_tokens: 29,
      prompt_tokens_details: { cached_tokens: 8, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 3, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    system_fingerprint: "fp_6b68a8204b",
  };

  it("reads usage with nested details from a chat completion body", () => {
    expect(extractUsageFromJson(JSON.stringify(chatCompletion))).toEqual({
      inputTokens: 19,
      outputTokens: 10,
      totalTokens: 29,
      cachedTokens: 8,
      cacheWriteTokens: 0,
      reasoningTokens: 3,
    });
  });

  it("reads usage from a pretty-printed body", () => {
    expect(extractUsageFromJson(JSON.stringify(chatCompletion, null, 2))).toMatchObject({ inputTokens: 19, cachedTokens: 8, reasoningTokens: 3 });
  });

  it("reads usage that is not the last key", () => {
    const text = '{"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"choices":[{"message":{"content":"}"}}]}';
    expect(extractUsageFromJson(text)).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("reads embeddings usage (no completion tokens)", () => {
    const body = {
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.0023, -0.0093, 0.015] }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 8, total_tokens: 8 },
    };
    expect(extractUsageFromJson(JSON.stringify(body))).toEqual({ inputTokens: 8, outputTokens: 0, totalTokens: 8, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("returns null when there is no usage", () => {
    const { usage: _usage, ...withoutUsage } = chatCompletion;
    expect(extractUsageFromJson(JSON.stringify(withoutUsage))).toBeNull();
    expect(extractUsageFromJson("")).toBeNull();
    expect(extractUsageFromJson("{}")).toBeNull();
  });

  it("returns null for usage: null", () => {
    expect(extractUsageFromJson('{"choices":[],"usage":null}')).toBeNull();
  });

  it("lets the last usage object win", () => {
    const text =
      '{"first":{"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}},' +
      '"usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":32}}}';
    expect(extractUsageFromJson(text)).toEqual({ inputTokens: 40, outputTokens: 2, totalTokens: 42, cachedTokens: 32, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("ignores the word usage inside string content (escaped quotes)", () => {
    const body = {
      choices: [{ message: { role: "assistant", content: 'Reply with {"usage": {"prompt_tokens": 999}} please' } }],
      usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
    };
    expect(extractUsageFromJson(JSON.stringify(body))).toMatchObject({ inputTokens: 5, outputTokens: 6, totalTokens: 11 });
    const contentAfter = { usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 }, note: 'the "usage": {"prompt_tokens": 1}' };
    expect(extractUsageFromJson(JSON.stringify(contentAfter))).toMatchObject({ inputTokens: 5 });
  });

  it("returns null for a body truncated inside the usage object", () => {
    const text = JSON.stringify(chatCompletion);
    const cut = text.indexOf('"completion_tokens_details"');
    expect(extractUsageFromJson(text.slice(0, cut))).toBeNull();
  });

  it("returns null for a usage object that is not valid JSON", () => {
    expect(extractUsageFromJson('{"usage":{"prompt_tokens":1,,}}')).toBeNull();
  });

  it("tolerates whitespace around the usage key's colon", () => {
    expect(extractUsageFromJson('{"usage" :\n {"prompt_tokens": 2, "completion_tokens": 3}}')).toMatchObject({
      inputTokens: 2,
      outputTokens: 3,
      totalTokens: 5,
    });
  });

  it("gives the same answer on repeated calls (no leftover regex state)", () => {
    const text = JSON.stringify(chatCompletion);
    const first = extractUsageFromJson(text);
    expect(extractUsageFromJson('{"x":1}')).toBeNull();
    expect(extractUsageFromJson(text)).toEqual(first);
  });
});
