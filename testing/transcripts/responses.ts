/**
 * OpenAI Responses API transcripts for the dialect conformance suite, taken from the examples in
 * OpenAI's API reference and guides (each names its page). The reference abbreviates streamed
 * `response` objects; they are written out here as the API sends them, with the same ids, text
 * and usage.
 */
import type { StreamEvent } from "../../core/canonical.ts";
import type { Usage } from "../../core/types.ts";
import { type DialectTranscript, neutralRequest } from "../dialect-conformance.ts";

function usage(input: number, output: number, cached = 0, reasoning = 0): Usage {
  return { inputTokens: input, outputTokens: output, totalTokens: input + output, cachedTokens: cached, cacheWriteTokens: 0, reasoningTokens: reasoning };
}

function wireUsage(input: number, output: number, cached = 0, reasoning = 0) {
  return { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: output, output_tokens_details: { reasoning_tokens: reasoning }, total_tokens: input + output };
}

/** A `response` object as the API returns it, around the fields a transcript varies. */
function responseBody(id: string, created: number, model: string, status: string, output: unknown[], use: unknown, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: "response",
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1.0,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1.0,
    truncation: "disabled",
    usage: use,
    user: null,
    metadata: {},
    ...extra,
  };
}

/** SSE text from typed events, as the API writes them (each named by its type). */
function sse(events: Record<string, unknown>[]): string {
  return events.map((event, i) => `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: i })}\n\n`).join("");
}

const story = "In a peaceful grove beneath a silver moon, a unicorn named Lumina discovered a hidden pool that reflected the stars. As she dipped her horn into the water, the pool began to shimmer, revealing a pathway to a magical realm of endless night skies. Filled with wonder, Lumina whispered a wish for all who dream to find their own hidden magic, and as she glanced back, her hoofprints sparkled like stardust.";

const plainText: DialectTranscript = {
  name: "a plain text answer",
  source: "https://platform.openai.com/docs/api-reference/responses/create",
  request: {
    body: { model: "gpt-4.1", input: "Tell me a three sentence bedtime story about a unicorn." },
    neutral: neutralRequest({ model: "gpt-4.1", messages: [{ role: "user", content: [{ type: "text", text: "Tell me a three sentence bedtime story about a unicorn." }] }] }),
  },
  response: {
    text: JSON.stringify(responseBody("resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", 1741476542, "gpt-4.1-2025-04-14", "completed", [
      { type: "message", id: "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b", status: "completed", role: "assistant", content: [{ type: "output_text", text: story, annotations: [] }] },
    ], wireUsage(36, 87))),
    neutral: {
      id: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
      model: "gpt-4.1-2025-04-14",
      created: 1741476542,
      content: [{ type: "text", text: story }],
      finish: "stop",
      stopSequence: null,
      usage: usage(36, 87),
    },
  },
  error: {
    status: 400,
    text: JSON.stringify({ error: { message: "Invalid type for 'input': expected one of a string or array of input items, but got an object instead.", type: "invalid_request_error", param: "input", code: "invalid_type" } }),
    detail: { type: "invalid_request_error", message: "Invalid type for 'input': expected one of a string or array of input items, but got an object instead.", code: "invalid_type", param: "input" },
  },
};

const weatherTool = {
  type: "function",
  name: "get_weather",
  description: "Get current temperature for a given location.",
  parameters: {
    type: "object",
    properties: { location: { type: "string", description: "City and country e.g. Bogotá, Colombia" } },
    required: ["location"],
    additionalProperties: false,
  },
  strict: true,
};

const functionCalling: DialectTranscript = {
  name: "instructions, a get_weather call and the turn that returns its output",
  source: "https://platform.openai.com/docs/guides/function-calling",
  request: {
    body: {
      model: "gpt-4.1",
      instructions: "You are a helpful weather assistant.",
      tools: [weatherTool],
      tool_choice: "auto",
      max_output_tokens: 512,
      text: { format: { type: "json_schema", name: "weather", schema: { type: "object", properties: { summary: { type: "string" } } }, strict: true } },
      reasoning: { effort: "low" },
      input: [
        { role: "user", content: "What is the weather like in Paris today?" },
        { type: "function_call", call_id: "call_12345xyz", name: "get_weather", arguments: "{\"location\":\"Paris, France\"}" },
        { type: "function_call_output", call_id: "call_12345xyz", output: "14" },
      ],
    },
    neutral: neutralRequest({
      model: "gpt-4.1",
      system: [{ type: "text", text: "You are a helpful weather assistant." }],
      tools: [{ name: "get_weather", description: weatherTool.description, parameters: weatherTool.parameters, strict: true }],
      toolChoice: { type: "auto" },
      maxTokens: 512,
      responseFormat: { type: "json_schema", name: "weather", schema: { type: "object", properties: { summary: { type: "string" } } }, strict: true },
      reasoning: { effort: "low" },
      messages: [
        { role: "user", content: [{ type: "text", text: "What is the weather like in Paris today?" }] },
        { role: "assistant", content: [{ type: "tool_call", id: "call_12345xyz", name: "get_weather", arguments: "{\"location\":\"Paris, France\"}" }] },
        { role: "user", content: [{ type: "tool_result", callId: "call_12345xyz", content: [{ type: "text", text: "14" }], isError: false }] },
      ],
    }),
  },
  response: {
    // The guide shows the output array only; the rest of the object is as every response has it.
    text: JSON.stringify(responseBody("resp_67d9a8c1f0b88191a2b4c53e6a8a9d5e", 1742317761, "gpt-4.1-2025-04-14", "completed", [
      { type: "function_call", id: "fc_12345xyz", call_id: "call_12345xyz", name: "get_weather", arguments: "{\"location\":\"Paris, France\"}", status: "completed" },
    ], wireUsage(291, 23), { tools: [weatherTool] })),
    neutral: {
      id: "resp_67d9a8c1f0b88191a2b4c53e6a8a9d5e",
      model: "gpt-4.1-2025-04-14",
      created: 1742317761,
      content: [{ type: "tool_call", id: "call_12345xyz", name: "get_weather", arguments: "{\"location\":\"Paris, France\"}" }],
      finish: "tool_calls",
      stopSequence: null,
      usage: usage(291, 23),
    },
  },
};

const STREAM_ID = "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654";
const MSG_ID = "msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654";
const streamedText = "Hi there! How can I assist you today?";
const textPart = { type: "output_text", text: streamedText, annotations: [] };
const doneMessage = { id: MSG_ID, type: "message", status: "completed", role: "assistant", content: [textPart] };
const deltas = ["Hi", " there", "!", " How", " can", " I", " assist", " you", " today", "?"];

const streamed: DialectTranscript = {
  name: "a streamed text answer",
  source: "https://platform.openai.com/docs/api-reference/responses-streaming",
  request: {
    body: { model: "gpt-4o", instructions: "You are a helpful assistant.", input: "Hello!", stream: true },
    neutral: neutralRequest({ model: "gpt-4o", stream: true, system: [{ type: "text", text: "You are a helpful assistant." }], messages: [{ role: "user", content: [{ type: "text", text: "Hello!" }] }] }),
  },
  stream: {
    text: sse([
      { type: "response.created", response: responseBody(STREAM_ID, 1741290958, "gpt-4o-2024-08-06", "in_progress", [], null, { instructions: "You are a helpful assistant." }) },
      { type: "response.in_progress", response: responseBody(STREAM_ID, 1741290958, "gpt-4o-2024-08-06", "in_progress", [], null, { instructions: "You are a helpful assistant." }) },
      { type: "response.output_item.added", output_index: 0, item: { id: MSG_ID, type: "message", status: "in_progress", role: "assistant", content: [] } },
      { type: "response.content_part.added", item_id: MSG_ID, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } },
      ...deltas.map((delta) => ({ type: "response.output_text.delta", item_id: MSG_ID, output_index: 0, content_index: 0, delta })),
      { type: "response.output_text.done", item_id: MSG_ID, output_index: 0, content_index: 0, text: streamedText },
      { type: "response.content_part.done", item_id: MSG_ID, output_index: 0, content_index: 0, part: textPart },
      { type: "response.output_item.done", output_index: 0, item: doneMessage },
      { type: "response.completed", response: responseBody(STREAM_ID, 1741290958, "gpt-4o-2024-08-06", "completed", [doneMessage], wireUsage(37, 11), { instructions: "You are a helpful assistant." }) },
    ]),
    events: [
      { type: "start", id: STREAM_ID, model: "gpt-4o-2024-08-06", usage: null },
      { type: "block_start", index: 0, block: { type: "text" } },
      ...deltas.map((text): StreamEvent => ({ type: "text", index: 0, text })),
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "stop", stopSequence: null },
      { type: "usage", usage: usage(37, 11) },
      { type: "done" },
    ],
  },
};

const FC_ID = "fc_67ca09c5efe0819096d0511c92b8c890096610f474011cc0";
const args = ["{\"", "location", "\":\"", "Paris", ",", " France", "\"}"];
const doneCall = { id: FC_ID, type: "function_call", status: "completed", arguments: args.join(""), call_id: "call_unLAR8MvFNptuiZK6K6HCy5k", name: "get_weather" };

const streamedCall: DialectTranscript = {
  name: "a streamed function call",
  source: "https://platform.openai.com/docs/guides/function-calling#streaming",
  stream: {
    text: sse([
      { type: "response.created", response: responseBody("resp_67ca09c5aa3c8190a3d30d2f3c2d5c0a", 1741294021, "gpt-4.1-2025-04-14", "in_progress", [], null, { tools: [weatherTool] }) },
      { type: "response.output_item.added", output_index: 0, item: { ...doneCall, status: "in_progress", arguments: "" } },
      ...args.map((delta) => ({ type: "response.function_call_arguments.delta", item_id: FC_ID, output_index: 0, delta })),
      { type: "response.function_call_arguments.done", item_id: FC_ID, output_index: 0, arguments: args.join("") },
      { type: "response.output_item.done", output_index: 0, item: doneCall },
      { type: "response.completed", response: responseBody("resp_67ca09c5aa3c8190a3d30d2f3c2d5c0a", 1741294021, "gpt-4.1-2025-04-14", "completed", [doneCall], wireUsage(57, 18), { tools: [weatherTool] }) },
    ]),
    events: [
      { type: "start", id: "resp_67ca09c5aa3c8190a3d30d2f3c2d5c0a", model: "gpt-4.1-2025-04-14", usage: null },
      { type: "block_start", index: 0, block: { type: "tool_call", id: "call_unLAR8MvFNptuiZK6K6HCy5k", name: "get_weather" } },
      ...args.map((json): StreamEvent => ({ type: "tool_args", index: 0, json })),
      { type: "block_stop", index: 0 },
      { type: "finish", reason: "tool_calls", stopSequence: null },
      { type: "usage", usage: usage(57, 18) },
      { type: "done" },
    ],
  },
};

const streamError: DialectTranscript = {
  name: "a stream that fails with an error event",
  source: "https://platform.openai.com/docs/api-reference/responses-streaming/error",
  stream: {
    text: sse([
      { type: "response.created", response: responseBody("resp_67ca0a1b2c3d8190a1b2c3d4e5f60718", 1741294100, "gpt-4.1-2025-04-14", "in_progress", [], null) },
      { type: "error", code: "ERR_SOMETHING", message: "Something went wrong", param: null },
    ]),
    events: [
      { type: "start", id: "resp_67ca0a1b2c3d8190a1b2c3d4e5f60718", model: "gpt-4.1-2025-04-14", usage: null },
      { type: "error", error: { type: "ERR_SOMETHING", message: "Something went wrong" } },
    ],
  },
};

export const responsesTranscripts: readonly DialectTranscript[] = [plainText, functionCalling, streamed, streamedCall, streamError];
