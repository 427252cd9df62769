/**
 * Gemini API transcripts for the dialect conformance suite, taken from the examples in Google's
 * documentation (each names its page). Request bodies are as the Gemini surface reads them: the
 * client's JSON with the path's model and stream flag bound in (`bindGeminiRoute`). Where a
 * documented example leaves out a field every real answer carries (`responseId`, usage), the
 * value is filled in.
 */
import type { StreamEvent } from "../../core/canonical.ts";
import type { Usage } from "../../core/types.ts";
import { type DialectTranscript, neutralRequest } from "../dialect-conformance.ts";

/** Usage from Gemini's counts: output includes thinking. */
function usage(prompt: number, candidates: number, thoughts = 0, cached = 0): Usage {
  const outputTokens = candidates + thoughts;
  return { inputTokens: prompt, outputTokens, totalTokens: prompt + outputTokens, cachedTokens: cached, cacheWriteTokens: 0, reasoningTokens: thoughts };
}

/** SSE text from chunks, as Google writes it (CRLF pairs between events). */
function sse(...chunks: unknown[]): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join("");
}

const theaters = {
  name: "find_theaters",
  description: "find theaters based on location and optionally movie title which is currently playing in theaters",
  parameters: {
    type: "OBJECT",
    properties: {
      location: { type: "STRING", description: "The city and state, e.g. San Francisco, CA or a zip code e.g. 95616" },
      movie: { type: "STRING", description: "Any movie title" },
    },
    required: ["location"],
  },
};
const neutralTheaters = {
  name: theaters.name,
  description: theaters.description,
  parameters: {
    type: "object",
    properties: { location: { type: "string", description: theaters.parameters.properties.location.description }, movie: { type: "string", description: "Any movie title" } },
    required: ["location"],
  },
};

const systemAndConfig: DialectTranscript = {
  name: "a system instruction and a generation config",
  source: "https://ai.google.dev/gemini-api/docs/text-generation",
  request: {
    body: {
      model: "gemini-2.5-flash",
      stream: false,
      systemInstruction: { parts: [{ text: "You are a cat. Your name is Neko." }] },
      contents: [{ parts: [{ text: "Hello there" }] }],
      generationConfig: { stopSequences: ["Title"], temperature: 1.0, maxOutputTokens: 800, topP: 0.8, topK: 10 },
    },
    neutral: neutralRequest({
      model: "gemini-2.5-flash",
      system: [{ type: "text", text: "You are a cat. Your name is Neko." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hello there" }] }],
      stop: ["Title"],
      temperature: 1,
      maxTokens: 800,
      topP: 0.8,
      topK: 10,
    }),
  },
  response: {
    text: JSON.stringify({
      candidates: [{ content: { parts: [{ text: "Meow! *Neko stretches lazily* Hello there, human." }], role: "model" }, finishReason: "STOP", avgLogprobs: -0.21 }],
      usageMetadata: {
        promptTokenCount: 13,
        candidatesTokenCount: 14,
        totalTokenCount: 27,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: 13 }],
        candidatesTokensDetails: [{ modality: "TEXT", tokenCount: 14 }],
      },
      modelVersion: "gemini-2.5-flash",
      responseId: "mEbaaPGhAs-Pz7IPjKOq0QM",
    }),
    neutral: {
      id: "mEbaaPGhAs-Pz7IPjKOq0QM",
      model: "gemini-2.5-flash",
      created: 0,
      content: [{ type: "text", text: "Meow! *Neko stretches lazily* Hello there, human." }],
      finish: "stop",
      stopSequence: null,
      usage: usage(13, 14),
    },
  },
};

const functionCall: DialectTranscript = {
  name: "a forced function call",
  source: "https://ai.google.dev/gemini-api/docs/function-calling",
  request: {
    body: {
      model: "gemini-2.0-flash",
      stream: false,
      contents: [{ role: "user", parts: [{ text: "Which theaters in Mountain View show Barbie movie?" }] }],
      tools: [{ functionDeclarations: [theaters] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["find_theaters"] } },
    },
    neutral: neutralRequest({
      model: "gemini-2.0-flash",
      messages: [{ role: "user", content: [{ type: "text", text: "Which theaters in Mountain View show Barbie movie?" }] }],
      tools: [neutralTheaters],
      toolChoice: { type: "tool", name: "find_theaters" },
    }),
  },
  response: {
    text: JSON.stringify({
      candidates: [{ content: { parts: [{ functionCall: { name: "find_theaters", args: { location: "Mountain View, CA", movie: "Barbie" } } }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 82, candidatesTokenCount: 16, totalTokenCount: 98 },
      modelVersion: "gemini-2.0-flash",
      responseId: "fc_resp_1",
    }),
    neutral: {
      id: "fc_resp_1",
      model: "gemini-2.0-flash",
      created: 0,
      content: [{ type: "tool_call", id: "call_fc_resp_1_0", name: "find_theaters", arguments: '{"location":"Mountain View, CA","movie":"Barbie"}' }],
      finish: "tool_calls",
      stopSequence: null,
      usage: usage(82, 16),
    },
  },
  stream: {
    text: sse({
      candidates: [{ content: { parts: [{ functionCall: { name: "find_theaters", args: { location: "Mountain View, CA", movie: "Barbie" } } }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 82, candidatesTokenCount: 16, totalTokenCount: 98 },
      modelVersion: "gemini-2.0-flash",
      responseId: "fc_resp_2",
    }),
    events: [
      { type: "start", id: "fc_resp_2", model: "gemini-2.0-flash", usage: null },
      { type: "block_start", index: 0, block: { type: "tool_call", id: "call_fc_resp_2_0", name: "find_theaters" } },
      { type: "tool_args", index: 0, json: '{"location":"Mountain View, CA","movie":"Barbie"}' },
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "tool_calls", stopSequence: null },
      { type: "usage", usage: usage(82, 16) },
      { type: "done" },
    ] satisfies StreamEvent[],
  },
};

const functionResponse: DialectTranscript = {
  name: "a function's response sent back",
  source: "https://ai.google.dev/gemini-api/docs/function-calling",
  request: {
    body: {
      model: "gemini-2.0-flash",
      stream: true,
      contents: [
        { role: "user", parts: [{ text: "Which theaters in Mountain View show Barbie movie?" }] },
        { role: "model", parts: [{ functionCall: { name: "find_theaters", args: { location: "Mountain View, CA", movie: "Barbie" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "find_theaters", response: { name: "find_theaters", content: { movie: "Barbie", theaters: [{ name: "AMC Mountain View 16", address: "2000 W El Camino Real, Mountain View, CA 94040" }] } } } }] },
      ],
      tools: [{ functionDeclarations: [theaters] }],
    },
    neutral: neutralRequest({
      model: "gemini-2.0-flash",
      stream: true,
      messages: [
        { role: "user", content: [{ type: "text", text: "Which theaters in Mountain View show Barbie movie?" }] },
        { role: "assistant", content: [{ type: "tool_call", id: "call_0", name: "find_theaters", arguments: '{"location":"Mountain View, CA","movie":"Barbie"}' }] },
        {
          role: "user",
          content: [{
            type: "tool_result",
            callId: "call_0",
            content: [{ type: "text", text: '{"name":"find_theaters","content":{"movie":"Barbie","theaters":[{"name":"AMC Mountain View 16","address":"2000 W El Camino Real, Mountain View, CA 94040"}]}}' }],
            isError: false,
          }],
        },
      ],
      tools: [neutralTheaters],
    }),
  },
};

const thinking: DialectTranscript = {
  name: "thought summaries and thinking tokens",
  source: "https://ai.google.dev/gemini-api/docs/thinking",
  request: {
    body: {
      model: "gemini-2.5-pro",
      stream: false,
      contents: [{ parts: [{ text: "What is the sum of the first 50 prime numbers?" }] }],
      generationConfig: { thinkingConfig: { thinkingBudget: 1024 } },
    },
    neutral: neutralRequest({
      model: "gemini-2.5-pro",
      messages: [{ role: "user", content: [{ type: "text", text: "What is the sum of the first 50 prime numbers?" }] }],
      reasoning: { budgetTokens: 1024 },
    }),
  },
  response: {
    text: JSON.stringify({
      candidates: [{
        content: { parts: [{ text: "**Listing the primes**\n\nI will list the first 50 primes and add them.", thought: true }, { text: "The sum of the first 50 prime numbers is 5117." }], role: "model" },
        finishReason: "STOP",
        index: 0,
      }],
      usageMetadata: { promptTokenCount: 15, candidatesTokenCount: 12, totalTokenCount: 1047, thoughtsTokenCount: 1020 },
      modelVersion: "gemini-2.5-pro",
      responseId: "think_1",
    }),
    neutral: {
      id: "think_1",
      model: "gemini-2.5-pro",
      created: 0,
      content: [
        { type: "thinking", text: "**Listing the primes**\n\nI will list the first 50 primes and add them.", signature: null },
        { type: "text", text: "The sum of the first 50 prime numbers is 5117." },
      ],
      finish: "stop",
      stopSequence: null,
      usage: usage(15, 12, 1020),
    },
  },
  stream: {
    text: sse(
      { candidates: [{ content: { parts: [{ text: "**Listing the primes**", thought: true }], role: "model" }, index: 0 }], usageMetadata: { promptTokenCount: 15, totalTokenCount: 15 }, modelVersion: "gemini-2.5-pro", responseId: "think_2" },
      { candidates: [{ content: { parts: [{ text: "The sum of the first 50 " }], role: "model" }, index: 0 }], usageMetadata: { promptTokenCount: 15, totalTokenCount: 15 }, modelVersion: "gemini-2.5-pro", responseId: "think_2" },
      { candidates: [{ content: { parts: [{ text: "prime numbers is 5117." }], role: "model" }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 15, candidatesTokenCount: 12, totalTokenCount: 1047, thoughtsTokenCount: 1020 }, modelVersion: "gemini-2.5-pro", responseId: "think_2" },
    ),
    events: [
      { type: "start", id: "think_2", model: "gemini-2.5-pro", usage: null },
      { type: "block_start", index: 0, block: { type: "thinking" } },
      { type: "thinking", index: 0, text: "**Listing the primes**" },
      { type: "usage", usage: usage(15, 0) },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "text" } },
      { type: "text", index: 1, text: "The sum of the first 50 " },
      { type: "text", index: 1, text: "prime numbers is 5117." },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "stop", stopSequence: null },
      { type: "usage", usage: usage(15, 12, 1020) },
      { type: "done" },
    ] satisfies StreamEvent[],
  },
};

const blocked: DialectTranscript = {
  name: "a prompt blocked for safety",
  source: "https://ai.google.dev/gemini-api/docs/safety-settings",
  response: {
    text: JSON.stringify({
      promptFeedback: {
        blockReason: "SAFETY",
        safetyRatings: [
          { category: "HARM_CATEGORY_SEXUALLY_EXPLICIT", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
          { category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH" },
          { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "NEGLIGIBLE" },
        ],
      },
      usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
      modelVersion: "gemini-2.0-flash",
    }),
    neutral: { id: "", model: "gemini-2.0-flash", created: 0, content: [], finish: "content_filter", stopSequence: null, usage: usage(8, 0) },
  },
};

const cutForLength: DialectTranscript = {
  name: "an answer cut at maxOutputTokens, from cached content",
  source: "https://ai.google.dev/api/generate-content#FinishReason",
  response: {
    text: JSON.stringify({
      candidates: [{ content: { parts: [{ text: "Once upon a time, in a land far" }], role: "model" }, finishReason: "MAX_TOKENS", index: 0 }],
      usageMetadata: { promptTokenCount: 2080, cachedContentTokenCount: 2048, candidatesTokenCount: 8, totalTokenCount: 2088 },
      modelVersion: "gemini-2.5-flash",
      responseId: "len_1",
    }),
    neutral: { id: "len_1", model: "gemini-2.5-flash", created: 0, content: [{ type: "text", text: "Once upon a time, in a land far" }], finish: "length", stopSequence: null, usage: usage(2080, 8, 0, 2048) },
  },
};

const brokenStream: DialectTranscript = {
  name: "a stream that fails midway",
  source: "https://ai.google.dev/gemini-api/docs/troubleshooting",
  stream: {
    text: sse(
      { candidates: [{ content: { parts: [{ text: "Partial" }], role: "model" }, index: 0 }], modelVersion: "gemini-2.5-flash", responseId: "err_1" },
      { error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } },
    ),
    events: [
      { type: "start", id: "err_1", model: "gemini-2.5-flash", usage: null },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "text", index: 0, text: "Partial" },
      { type: "error", error: { type: "UNAVAILABLE", message: "The model is overloaded. Please try again later." } },
      { type: "block_stop", index: 0 },
    ] satisfies StreamEvent[],
  },
};

const invalidKey: DialectTranscript = {
  name: "an invalid API key",
  source: "https://ai.google.dev/gemini-api/docs/troubleshooting",
  error: {
    status: 400,
    text: JSON.stringify({
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } }],
      },
    }),
    detail: { type: "INVALID_ARGUMENT", message: "API key not valid. Please pass a valid API key.", code: "API_KEY_INVALID", param: null },
  },
};

const quota: DialectTranscript = {
  name: "a rate limit with a retry delay",
  source: "https://ai.google.dev/gemini-api/docs/rate-limits",
  error: {
    status: 429,
    text: JSON.stringify({
      error: {
        code: 429,
        message: "You exceeded your current quota, please check your plan and billing details.",
        status: "RESOURCE_EXHAUSTED",
        details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "26s" }],
      },
    }),
    detail: { type: "RESOURCE_EXHAUSTED", message: "You exceeded your current quota, please check your plan and billing details.", code: null, param: null },
  },
};

export const geminiTranscripts: readonly DialectTranscript[] = [systemAndConfig, functionCall, functionResponse, thinking, blocked, cutForLength, brokenStream, invalidKey, quota];
