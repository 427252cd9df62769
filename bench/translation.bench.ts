/**
 * What translating between dialects costs, each group against a baseline in the same run (read the
 * ratios): a request each direction (parse into the neutral form, encode, serialise) against
 * re-serialising the body; a whole answer each direction against JSON.parse + stringify; one
 * stream event each direction (decode + encode) against the pass-through scanner of that event.
 * Run: npm run bench:translation
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { freezeJson } from "../core/body.ts";
import { anthropic } from "../dialects/anthropic/index.ts";
import { openai } from "../dialects/openai/index.ts";
import { bindGeminiRoute, gemini } from "../dialects/gemini/index.ts";
import { responses } from "../dialects/responses/index.ts";
import { mockGenerateContent, mockStreamGenerateContentEvents } from "../providers/mock-gemini.ts";
import { mockMessage, mockMessageStreamEvents, MockPromptCache } from "../providers/mock-anthropic.ts";
import { mockChatCompletion, mockChatStreamEvents } from "../providers/mock-llm.ts";

const encoder = new TextEncoder();
const options = { model: "target-model", streamUsage: true };

const tools = ["Read", "Edit", "Bash", "Grep", "Glob"].map((name) => ({
  name,
  description: `The ${name} tool. `.repeat(8),
  input_schema: { type: "object", properties: { path: { type: "string", description: "Where" }, limit: { type: "number" } }, required: ["path"] },
}));

// What Claude Code sends, in miniature: system blocks with a cache breakpoint, tools, a tool turn.
const anthropicBody = freezeAll({
  model: "claude-sonnet-4-5",
  max_tokens: 8192,
  stream: true,
  system: [{ type: "text", text: "You are an interactive agent that helps users with software engineering tasks. ".repeat(10), cache_control: { type: "ephemeral" } }],
  tools,
  thinking: { type: "adaptive" },
  messages: [
    { role: "user", content: [{ type: "text", text: "Find where the config is loaded and explain it." }] },
    { role: "assistant", content: [{ type: "text", text: "Let me look." }, { type: "tool_use", id: "toolu_01", name: "Grep", input: { path: "src", pattern: "loadConfig" } }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "src/cli/load-config.ts:12: export async function loadConfig(path) {" }] },
  ],
});

const openaiBody = freezeAll({
  model: "gpt-4o-mini",
  stream: true,
  temperature: 0.2,
  max_tokens: 512,
  messages: [
    { role: "system", content: "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(3) },
    { role: "user", content: "Where is order 1234? It left the depot yesterday." },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "track", arguments: '{"id":"1234"}' } }] },
    { role: "tool", tool_call_id: "call_1", content: "In transit, arriving tomorrow." },
  ],
  tools: [{ type: "function", function: { name: "track", description: "Track an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } } }],
});

function freezeAll<T extends object>(value: T): T {
  freezeJson(value);
  return value;
}

summary(() => {
  group("request, Anthropic Messages (Claude Code-like) → OpenAI chat", () => {
    bench("JSON.stringify of the body (baseline)", () => do_not_optimize(JSON.stringify(anthropicBody)));
    bench("parse → neutral → encode → stringify", () => do_not_optimize(JSON.stringify(openai.encodeRequest(anthropic.parseRequest(anthropicBody), options).body)));
  });
});
summary(() => {
  group("request, OpenAI chat → Anthropic Messages", () => {
    bench("JSON.stringify of the body (baseline)", () => do_not_optimize(JSON.stringify(openaiBody)));
    bench("parse → neutral → encode → stringify", () => do_not_optimize(JSON.stringify(anthropic.encodeRequest(openai.parseRequest(openaiBody), options).body)));
  });
});

const chatAnswer = mockChatCompletion({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Tell me about the weather in Paris this week." }] });
const messageAnswer = mockMessage({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "Tell me about the weather in Paris this week." }] }, new MockPromptCache());
summary(() => {
  group("whole answer, OpenAI chat.completion → Anthropic message", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(chatAnswer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(anthropic.encodeResponse(openai.parseResponse(chatAnswer), anthropicBody)));
  });
});
summary(() => {
  group("whole answer, Anthropic message → OpenAI chat.completion", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(messageAnswer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(openai.encodeResponse(anthropic.parseResponse(messageAnswer), openaiBody)));
  });
});

const chatEvents = mockChatStreamEvents({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "A streamed answer of a fair length, please, about anything." }] }).map((e) => encoder.encode(e));
const anthropicEvents = mockMessageStreamEvents({ model: "claude", max_tokens: 500, stream: true, messages: [{ role: "user", content: "A streamed answer of a fair length, please, about anything." }] }, new MockPromptCache()).map((e) => encoder.encode(e));
const perEvent = (events: Uint8Array[], relay: () => { push(chunk: Uint8Array): unknown; end(): unknown }) => () => {
  const r = relay();
  for (const event of events) do_not_optimize(r.push(event));
  return do_not_optimize(r.end());
};

summary(() => {
  group(`stream, OpenAI chunks → Anthropic events (${chatEvents.length} events; divide by it for one)`, () => {
    bench("pass-through scanner, same dialect (baseline)", perEvent(chatEvents, () => openai.scanner(false)));
    bench("decode → encode", perEvent(chatEvents, () => translator(openai.streamDecoder(), anthropic.streamEncoder(anthropicBody))));
  });
});
summary(() => {
  group(`stream, Anthropic events → OpenAI chunks (${anthropicEvents.length} events; divide by it for one)`, () => {
    bench("pass-through scanner, same dialect (baseline)", perEvent(anthropicEvents, () => anthropic.scanner(false)));
    bench("decode → encode", perEvent(anthropicEvents, () => translator(anthropic.streamDecoder(), openai.streamEncoder(openaiBody))));
  });
});

// The Gemini surface: what google-genai sends for an agent turn (system instruction, function
// declarations, a function call and its response), with the path's model and stream flag bound in.
const geminiBody = bindGeminiRoute(freezeAll({
  systemInstruction: { parts: [{ text: "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(3) }] },
  contents: [
    { role: "user", parts: [{ text: "Where is order 1234? It left the depot yesterday." }] },
    { role: "model", parts: [{ functionCall: { name: "track", args: { id: "1234" } } }] },
    { role: "user", parts: [{ functionResponse: { name: "track", response: { result: "In transit, arriving tomorrow." } } }] },
  ],
  tools: [{ functionDeclarations: [{ name: "track", description: "Track an order", parameters: { type: "OBJECT", properties: { id: { type: "STRING" } }, required: ["id"] } }] }],
  generationConfig: { temperature: 0.2, maxOutputTokens: 512 },
}), "gemini-2.5-flash", true);

summary(() => {
  group("request, Gemini generateContent → OpenAI chat (the Gemini surface)", () => {
    bench("JSON.stringify of the body (baseline)", () => do_not_optimize(JSON.stringify(geminiBody)));
    bench("parse → neutral → encode → stringify", () => do_not_optimize(JSON.stringify(openai.encodeRequest(gemini.parseRequest(geminiBody), options).body)));
  });
});
summary(() => {
  group("request, OpenAI chat → Gemini generateContent (the gemini provider)", () => {
    bench("JSON.stringify of the body (baseline)", () => do_not_optimize(JSON.stringify(openaiBody)));
    bench("parse → neutral → encode → stringify", () => do_not_optimize(JSON.stringify(gemini.encodeRequest(openai.parseRequest(openaiBody), options).body)));
  });
});

const geminiAnswer = mockGenerateContent({ contents: [{ role: "user", parts: [{ text: "Tell me about the weather in Paris this week." }] }] }, "gemini-2.5-flash");
summary(() => {
  group("whole answer, OpenAI chat.completion → Gemini GenerateContentResponse", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(chatAnswer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(gemini.encodeResponse(openai.parseResponse(chatAnswer), geminiBody)));
  });
});
summary(() => {
  group("whole answer, Gemini GenerateContentResponse → OpenAI chat.completion", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(geminiAnswer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(openai.encodeResponse(gemini.parseResponse(geminiAnswer), openaiBody)));
  });
});

const geminiEvents = mockStreamGenerateContentEvents({ contents: [{ role: "user", parts: [{ text: "A streamed answer of a fair length, please, about anything." }] }] }, "gemini-2.5-flash").map((e) => encoder.encode(e));
summary(() => {
  group(`stream, OpenAI chunks → Gemini chunks (${chatEvents.length} events; divide by it for one)`, () => {
    bench("pass-through scanner, same dialect (baseline)", perEvent(chatEvents, () => openai.scanner(false)));
    bench("decode → encode", perEvent(chatEvents, () => translator(openai.streamDecoder(), gemini.streamEncoder(geminiBody))));
  });
});
summary(() => {
  group(`stream, Gemini chunks → OpenAI chunks (${geminiEvents.length} events; divide by it for one)`, () => {
    bench("pass-through scanner, same dialect (baseline)", perEvent(geminiEvents, () => gemini.scanner(false)));
    bench("decode → encode", perEvent(geminiEvents, () => translator(gemini.streamDecoder(), openai.streamEncoder(openaiBody))));
  });
});

// The Responses surface in front of an OpenAI chat upstream (the Vercel AI SDK's default path).
const responsesBody = freezeAll({
  model: "gpt-4o-mini",
  stream: true,
  instructions: "You are a helpful assistant for a logistics company. Answer briefly and cite the order number. ".repeat(3),
  input: [
    { role: "user", content: "Where is order 1234? It left the depot yesterday." },
    { type: "function_call", call_id: "call_1", name: "track", arguments: '{"id":"1234"}' },
    { type: "function_call_output", call_id: "call_1", output: "In transit, arriving tomorrow." },
  ],
  tools: [{ type: "function", name: "track", description: "Track an order", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }],
  max_output_tokens: 512,
});
summary(() => {
  group("request, OpenAI Responses → OpenAI chat (the Responses surface)", () => {
    bench("JSON.stringify of the body (baseline)", () => do_not_optimize(JSON.stringify(responsesBody)));
    bench("parse → neutral → encode → stringify", () => do_not_optimize(JSON.stringify(openai.encodeRequest(responses.parseRequest(responsesBody), options).body)));
  });
});
summary(() => {
  group("whole answer, OpenAI chat.completion → Responses response", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(chatAnswer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(responses.encodeResponse(openai.parseResponse(chatAnswer), responsesBody)));
  });
});
summary(() => {
  group(`stream, OpenAI chunks → Responses events (${chatEvents.length} events; divide by it for one)`, () => {
    bench("pass-through scanner, same dialect (baseline)", perEvent(chatEvents, () => openai.scanner(false)));
    bench("decode → encode", perEvent(chatEvents, () => translator(openai.streamDecoder(), responses.streamEncoder(responsesBody))));
  });
});

function translator(decoder: ReturnType<typeof openai.streamDecoder>, out: ReturnType<typeof openai.streamEncoder>) {
  return {
    push: (chunk: Uint8Array) => encoder.encode(decoder.push(chunk).map((e) => out.encode(e)).join("")),
    end: () => encoder.encode(decoder.end().map((e) => out.encode(e)).join("") + out.end()),
  };
}

await run();
