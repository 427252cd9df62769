/**
 * Anthropic Messages transcripts for the dialect conformance suite, taken from the examples in
 * Anthropic's documentation (each names its page). Where a documented example leaves a field out
 * that every real answer carries (usage in the tool-use walkthrough), the value is filled in and
 * says so.
 */
import type { StreamEvent } from "../../core/canonical.ts";
import type { Usage } from "../../core/types.ts";
import { type DialectTranscript, neutralRequest } from "../dialect-conformance.ts";

/** Usage from Anthropic's counts: input includes cache reads and writes. */
function usage(input: number, output: number, cacheRead = 0, cacheWrite = 0, thinking = 0): Usage {
  const inputTokens = input + cacheRead + cacheWrite;
  return { inputTokens, outputTokens: output, totalTokens: inputTokens + output, cachedTokens: cacheRead, cacheWriteTokens: cacheWrite, reasoningTokens: thinking };
}

/** SSE text from (event name, data) pairs, as Anthropic writes it. */
function sse(...events: [string, string][]): string {
  return events.map(([name, data]) => `event: ${name}\ndata: ${data}\n\n`).join("");
}

const weatherTool = {
  name: "get_weather",
  description: "Get the current weather in a given location",
  input_schema: {
    type: "object",
    properties: {
      location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
      unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "The unit of temperature, either 'celsius' or 'fahrenheit'" },
    },
    required: ["location"],
  },
};

const neutralWeatherTool = { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.input_schema };

const plainText: DialectTranscript = {
  name: "a plain text answer",
  source: "https://docs.anthropic.com/en/api/messages",
  request: {
    body: { model: "claude-sonnet-4-5", max_tokens: 1024, messages: [{ role: "user", content: "Hello, Claude" }] },
    neutral: neutralRequest({ model: "claude-sonnet-4-5", maxTokens: 1024, messages: [{ role: "user", content: [{ type: "text", text: "Hello, Claude" }] }] }),
  },
  response: {
    text: JSON.stringify({
      id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "Hi! My name is Claude." }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 2095, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 503 },
    }),
    neutral: {
      id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
      model: "claude-sonnet-4-5-20250929",
      created: 0,
      content: [{ type: "text", text: "Hi! My name is Claude." }],
      finish: "stop",
      stopSequence: null,
      usage: usage(2095, 503),
    },
  },
};

const toolUse: DialectTranscript = {
  name: "a get_weather tool call, and the turn that returns its result",
  source: "https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use",
  request: {
    body: {
      model: "claude-opus-4-1",
      max_tokens: 1024,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "What's the weather like in San Francisco?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "I'll check the current weather in San Francisco for you." },
            { type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", input: { location: "San Francisco, CA", unit: "celsius" } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01A09q90qw90lq917835lq9", content: "15 degrees" }] },
      ],
    },
    neutral: neutralRequest({
      model: "claude-opus-4-1",
      maxTokens: 1024,
      tools: [neutralWeatherTool],
      messages: [
        { role: "user", content: [{ type: "text", text: "What's the weather like in San Francisco?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "I'll check the current weather in San Francisco for you." },
            { type: "tool_call", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          ],
        },
        { role: "user", content: [{ type: "tool_result", callId: "toolu_01A09q90qw90lq917835lq9", content: [{ type: "text", text: "15 degrees" }], isError: false }] },
      ],
    }),
  },
  response: {
    // The walkthrough shows no usage; these counts stand in for the ones every answer carries.
    text: JSON.stringify({
      id: "msg_01Aq9w938a90dw8q",
      type: "message",
      role: "assistant",
      model: "claude-opus-4-1-20250805",
      content: [
        { type: "text", text: "I'll check the current weather in San Francisco for you." },
        { type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", input: { location: "San Francisco, CA", unit: "celsius" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 384, output_tokens: 78 },
    }),
    neutral: {
      id: "msg_01Aq9w938a90dw8q",
      model: "claude-opus-4-1-20250805",
      created: 0,
      content: [
        { type: "text", text: "I'll check the current weather in San Francisco for you." },
        { type: "tool_call", id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
      ],
      finish: "tool_calls",
      stopSequence: null,
      usage: usage(384, 78),
    },
  },
};

const streamedTextEvents: StreamEvent[] = [
  { type: "start", id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", model: "claude-opus-4-1-20250805", usage: usage(25, 1) },
  { type: "block_start", index: 0, block: { type: "text" } },
  { type: "ping" },
  { type: "text", index: 0, text: "Hello" },
  { type: "text", index: 0, text: "!" },
  { type: "block_stop", index: 0 },
  { type: "finish", reason: "stop", stopSequence: null },
  { type: "usage", usage: usage(25, 15) },
  { type: "done" },
];

const streamedText: DialectTranscript = {
  name: "a streamed text answer",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/streaming#basic-streaming-request",
  request: {
    body: { model: "claude-opus-4-1", messages: [{ role: "user", content: "Hello" }], max_tokens: 256, stream: true },
    neutral: neutralRequest({ model: "claude-opus-4-1", maxTokens: 256, stream: true, messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }] }),
  },
  stream: {
    text: sse(
      ["message_start", '{"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}'],
      ["content_block_start", '{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}'],
      ["ping", '{"type": "ping"}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}'],
      ["content_block_stop", '{"type": "content_block_stop", "index": 0}'],
      ["message_delta", '{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}'],
      ["message_stop", '{"type": "message_stop"}'],
    ),
    events: streamedTextEvents,
  },
};

const streamedToolUse: DialectTranscript = {
  name: "a streamed tool call (input_json_delta)",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/streaming#streaming-request-with-tool-use",
  request: {
    body: { model: "claude-opus-4-1", max_tokens: 1024, tools: [weatherTool], tool_choice: { type: "any" }, messages: [{ role: "user", content: "What is the weather like in San Francisco?" }], stream: true },
    neutral: neutralRequest({
      model: "claude-opus-4-1",
      maxTokens: 1024,
      stream: true,
      tools: [neutralWeatherTool],
      toolChoice: { type: "required" },
      messages: [{ role: "user", content: [{ type: "text", text: "What is the weather like in San Francisco?" }] }],
    }),
  },
  stream: {
    text: sse(
      ["message_start", '{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-1-20250805","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}'],
      ["content_block_start", '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
      ["ping", '{"type": "ping"}'],
      ["content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":","}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" let"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\'s check the weather for San Francisco, CA:"}}'],
      ["content_block_stop", '{"type":"content_block_stop","index":0}'],
      ["content_block_start", '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" Francisc"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"o,"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" CA\\""}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":", "}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"unit\\": \\"fah"}}'],
      ["content_block_delta", '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"renheit\\"}"}}'],
      ["content_block_stop", '{"type":"content_block_stop","index":1}'],
      ["message_delta", '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}'],
      ["message_stop", '{"type":"message_stop"}'],
    ),
    events: [
      { type: "start", id: "msg_014p7gG3wDgGV9EUtLvnow3U", model: "claude-opus-4-1-20250805", usage: usage(472, 2) },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "ping" },
      { type: "text", index: 0, text: "Okay" },
      { type: "text", index: 0, text: "," },
      { type: "text", index: 0, text: " let" },
      { type: "text", index: 0, text: "'s check the weather for San Francisco, CA:" },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "tool_call", id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" } },
      { type: "tool_args", index: 1, json: "" },
      { type: "tool_args", index: 1, json: '{"location":' },
      { type: "tool_args", index: 1, json: ' "San' },
      { type: "tool_args", index: 1, json: " Francisc" },
      { type: "tool_args", index: 1, json: "o," },
      { type: "tool_args", index: 1, json: ' CA"' },
      { type: "tool_args", index: 1, json: ", " },
      { type: "tool_args", index: 1, json: '"unit": "fah' },
      { type: "tool_args", index: 1, json: 'renheit"}' },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "tool_calls", stopSequence: null },
      { type: "usage", usage: usage(472, 89) },
      { type: "done" },
    ],
  },
};

const thinkingSignature = "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve/op91XWHOEBLLqIOMfFG/UvLEczmEsUjavL....";

const thinking: DialectTranscript = {
  name: "extended thinking with a signature",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking",
  request: {
    body: {
      model: "claude-sonnet-4-5",
      max_tokens: 16000,
      thinking: { type: "enabled", budget_tokens: 10000 },
      messages: [{ role: "user", content: "Are there an infinite number of prime numbers such that n mod 4 == 3?" }],
    },
    neutral: neutralRequest({
      model: "claude-sonnet-4-5",
      maxTokens: 16000,
      reasoning: { budgetTokens: 10000 },
      messages: [{ role: "user", content: [{ type: "text", text: "Are there an infinite number of prime numbers such that n mod 4 == 3?" }] }],
    }),
  },
  response: {
    text: JSON.stringify({
      id: "msg_01ThinkingExample",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [
        { type: "thinking", thinking: "Let me analyze this step by step...", signature: thinkingSignature },
        { type: "text", text: "Yes, there are infinitely many prime numbers such that n mod 4 = 3..." },
      ],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 54, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1207, output_tokens_details: { thinking_tokens: 931 } },
    }),
    neutral: {
      id: "msg_01ThinkingExample",
      model: "claude-sonnet-4-5-20250929",
      created: 0,
      content: [
        { type: "thinking", text: "Let me analyze this step by step...", signature: thinkingSignature },
        { type: "text", text: "Yes, there are infinitely many prime numbers such that n mod 4 = 3..." },
      ],
      finish: "stop",
      stopSequence: null,
      usage: usage(54, 1207, 0, 0, 931),
    },
  },
};

const streamedThinking: DialectTranscript = {
  name: "streamed extended thinking (thinking_delta, signature_delta)",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/streaming#streaming-request-with-extended-thinking",
  request: {
    body: { model: "claude-opus-4-1", max_tokens: 20000, stream: true, thinking: { type: "enabled", budget_tokens: 16000 }, messages: [{ role: "user", content: "What is the greatest common divisor of 1071 and 462?" }] },
    neutral: neutralRequest({
      model: "claude-opus-4-1",
      maxTokens: 20000,
      stream: true,
      reasoning: { budgetTokens: 16000 },
      messages: [{ role: "user", content: [{ type: "text", text: "What is the greatest common divisor of 1071 and 462?" }] }],
    }),
  },
  stream: {
    text: sse(
      ["message_start", '{"type": "message_start", "message": {"id": "msg_01...", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null}}'],
      ["content_block_start", '{"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\\n\\n1071 = 2 × 462 + 147"}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "\\n462 = 3 × 147 + 21\\n147 = 7 × 21 + 0\\n\\nSo GCD(1071, 462) = 21"}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..."}}'],
      ["content_block_stop", '{"type": "content_block_stop", "index": 0}'],
      ["content_block_start", '{"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "The greatest common divisor of 1071 and 462 is **21**."}}'],
      ["content_block_stop", '{"type": "content_block_stop", "index": 1}'],
      ["message_delta", '{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}}'],
      ["message_stop", '{"type": "message_stop"}'],
    ),
    events: [
      // The documented stream leaves usage out of message_start and message_delta.
      { type: "start", id: "msg_01...", model: "claude-opus-4-1-20250805", usage: null },
      { type: "block_start", index: 0, block: { type: "thinking" } },
      { type: "thinking", index: 0, text: "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n1071 = 2 × 462 + 147" },
      { type: "thinking", index: 0, text: "\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\nSo GCD(1071, 462) = 21" },
      { type: "signature", index: 0, signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds..." },
      { type: "block_stop", index: 0 },
      { type: "block_start", index: 1, block: { type: "text" } },
      { type: "text", index: 1, text: "The greatest common divisor of 1071 and 462 is **21**." },
      { type: "block_stop", index: 1 },
      { type: "finish", reason: "stop", stopSequence: null },
      { type: "done" },
    ],
  },
};

const promptCaching: DialectTranscript = {
  name: "a cached system prompt (cache_control) and its cache-write usage",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching",
  request: {
    body: {
      model: "claude-opus-4-1",
      max_tokens: 1024,
      system: [
        { type: "text", text: "You are an AI assistant tasked with analyzing literary works. Your goal is to provide insightful commentary on themes, characters, and writing style.\n" },
        { type: "text", text: "<the entire contents of 'Pride and Prejudice'>", cache_control: { type: "ephemeral" } },
      ],
      messages: [{ role: "user", content: "Analyze the major themes in 'Pride and Prejudice'." }],
    },
    neutral: neutralRequest({
      model: "claude-opus-4-1",
      maxTokens: 1024,
      system: [
        { type: "text", text: "You are an AI assistant tasked with analyzing literary works. Your goal is to provide insightful commentary on themes, characters, and writing style.\n" },
        { type: "text", text: "<the entire contents of 'Pride and Prejudice'>", cache: { type: "ephemeral" } },
      ],
      messages: [{ role: "user", content: [{ type: "text", text: "Analyze the major themes in 'Pride and Prejudice'." }] }],
    }),
  },
  response: {
    text: JSON.stringify({
      id: "msg_01CachingExample",
      type: "message",
      role: "assistant",
      model: "claude-opus-4-1-20250805",
      content: [{ type: "text", text: "The major themes in Pride and Prejudice include..." }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { cache_creation_input_tokens: 188086, cache_read_input_tokens: 0, input_tokens: 21, output_tokens: 393 },
    }),
    neutral: {
      id: "msg_01CachingExample",
      model: "claude-opus-4-1-20250805",
      created: 0,
      content: [{ type: "text", text: "The major themes in Pride and Prejudice include..." }],
      finish: "stop",
      stopSequence: null,
      usage: usage(21, 393, 0, 188086),
    },
  },
};

const vision: DialectTranscript = {
  name: "images given as base64 and as a URL",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/vision",
  request: {
    body: {
      model: "claude-sonnet-4-5",
      max_tokens: 1024,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Image 1:" },
            { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQSkZJRgABAQEASABIAAD" } },
            { type: "text", text: "Image 2:" },
            { type: "image", source: { type: "url", url: "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg" } },
            { type: "text", text: "How are these images different?" },
          ],
        },
      ],
    },
    neutral: neutralRequest({
      model: "claude-sonnet-4-5",
      maxTokens: 1024,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Image 1:" },
            { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQSkZJRgABAQEASABIAAD" } },
            { type: "text", text: "Image 2:" },
            { type: "image", source: { kind: "url", url: "https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg" } },
            { type: "text", text: "How are these images different?" },
          ],
        },
      ],
    }),
  },
};

const adaptiveThinking: DialectTranscript = {
  name: "adaptive thinking",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking",
  request: {
    body: {
      model: "claude-opus-4-6",
      max_tokens: 16000,
      thinking: { type: "adaptive" },
      messages: [{ role: "user", content: "Explain why the sum of two even numbers is always even." }],
    },
    // Thinking at the model's own judgement: a reasoning setting with no budget and no effort.
    neutral: neutralRequest({
      model: "claude-opus-4-6",
      maxTokens: 16000,
      reasoning: {},
      messages: [{ role: "user", content: [{ type: "text", text: "Explain why the sum of two even numbers is always even." }] }],
    }),
  },
};

const plainTextDocument: DialectTranscript = {
  name: "a plain-text document with citations asked for",
  source: "https://docs.anthropic.com/en/docs/build-with-claude/citations",
  request: {
    body: {
      model: "claude-opus-4-1",
      max_tokens: 1024,
      messages: [
        {
          role: "user",
          content: [
            {
              type: "document",
              source: { type: "text", media_type: "text/plain", data: "The grass is green. The sky is blue." },
              title: "My Document",
              context: "This is a trustworthy document.",
              citations: { enabled: true },
            },
            { type: "text", text: "What color is the grass and sky?" },
          ],
        },
      ],
    },
    // Citations and a document's context have no neutral form: reported as dropped when translated.
    neutral: neutralRequest({
      model: "claude-opus-4-1",
      maxTokens: 1024,
      dropped: ["document.context", "citations"],
      messages: [
        {
          role: "user",
          content: [
            // The neutral form carries bytes: the text travels as base64 UTF-8.
            { type: "document", source: { kind: "base64", mediaType: "text/plain", data: "VGhlIGdyYXNzIGlzIGdyZWVuLiBUaGUgc2t5IGlzIGJsdWUu" }, title: "My Document" },
            { type: "text", text: "What color is the grass and sky?" },
          ],
        },
      ],
    }),
  },
};

const notFound: DialectTranscript = {
  name: "an error answer",
  source: "https://docs.anthropic.com/en/api/errors#error-shapes",
  error: {
    status: 404,
    text: JSON.stringify({ type: "error", error: { type: "not_found_error", message: "The requested resource could not be found." }, request_id: "req_011CSHoEeqs5C35K2UUqR7Fy" }),
    detail: { type: "not_found_error", message: "The requested resource could not be found.", code: null, param: null },
  },
};

const overloadedMidStream: DialectTranscript = {
  name: "an overloaded_error event mid-stream",
  // The error event is the documented one; the events before it are those of the basic stream.
  source: "https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events",
  stream: {
    text: sse(
      ["message_start", '{"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}'],
      ["content_block_start", '{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}'],
      ["content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}'],
      ["error", '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'],
    ),
    events: [
      { type: "start", id: "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", model: "claude-opus-4-1-20250805", usage: usage(25, 1) },
      { type: "block_start", index: 0, block: { type: "text" } },
      { type: "text", index: 0, text: "Hello" },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    ],
  },
  error: {
    status: 529,
    text: JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    detail: { type: "overloaded_error", message: "Overloaded", code: null, param: null },
  },
};

/** Every Anthropic transcript, for `dialectConformance(anthropic, anthropicTranscripts)`. */
export const anthropicTranscripts: readonly DialectTranscript[] = [
  plainText,
  toolUse,
  streamedText,
  streamedToolUse,
  thinking,
  streamedThinking,
  promptCaching,
  vision,
  adaptiveThinking,
  plainTextDocument,
  notFound,
  overloadedMidStream,
];
