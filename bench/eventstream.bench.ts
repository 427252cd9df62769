/**
 * What reading Bedrock's binary event stream costs, against the OpenAI SSE scanner over the same
 * answer as chat chunks in the same run (read the ratios): framing and the codec alone, decoding
 * to neutral events, and translating to an OpenAI client's chunks; and a whole Converse answer
 * translated for an OpenAI client against JSON.parse + stringify.
 * Run: npm run bench:eventstream
 */
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { bedrock, encodeEvent, EventStreamFramer } from "../dialects/bedrock/index.ts";
import { openai } from "../dialects/openai/index.ts";
import { mockChatStreamEvents } from "../providers/mock-llm.ts";

const encoder = new TextEncoder();
const body = { model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "A streamed answer of a fair length, please, about anything." }] };
const sse = mockChatStreamEvents(body);
const chatChunks = sse.map((e) => encoder.encode(e));

// The same answer, event for event, as Bedrock's converse-stream sends it (each payload padded).
const pieces = sse.flatMap((e) => {
  const data = e.slice(6).trim();
  if (data === "[DONE]") return [];
  const chunk = JSON.parse(data) as { choices: { delta: { content?: string } }[] };
  const text = chunk.choices[0]?.delta.content;
  return typeof text === "string" && text.length > 0 ? [text] : [];
});
const converse = [
  encodeEvent("messageStart", { role: "assistant", p: "abcdefgh" }),
  ...pieces.map((text) => encodeEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { text }, p: "abcdefghijkl" })),
  encodeEvent("contentBlockStop", { contentBlockIndex: 0, p: "abcd" }),
  encodeEvent("messageStop", { stopReason: "end_turn", p: "abcdefg" }),
  encodeEvent("metadata", { usage: { inputTokens: 21, outputTokens: 19, totalTokens: 40 }, metrics: { latencyMs: 310 }, p: "abc" }),
];

const perEvent = (events: Uint8Array[], relay: () => { push(chunk: Uint8Array): unknown; end(): unknown }) => () => {
  const r = relay();
  for (const event of events) do_not_optimize(r.push(event));
  return do_not_optimize(r.end());
};

function translator(decoder: ReturnType<typeof bedrock.streamDecoder>, out: ReturnType<typeof openai.streamEncoder>) {
  return {
    push: (chunk: Uint8Array) => encoder.encode(decoder.push(chunk).map((e) => out.encode(e)).join("")),
    end: () => encoder.encode(decoder.end().map((e) => out.encode(e)).join("") + out.end()),
  };
}

summary(() => {
  group(`stream, Bedrock event stream (${converse.length} messages) vs OpenAI SSE (${chatChunks.length} chunks), one answer`, () => {
    bench("OpenAI SSE pass-through scanner (baseline)", perEvent(chatChunks, () => openai.scanner(false)));
    bench("event stream framing + codec (CRC, headers) only", perEvent(converse, () => {
      const framer = new EventStreamFramer();
      return { push: (chunk: Uint8Array) => framer.push(chunk), end: () => framer.pending };
    }));
    bench("Bedrock decode → neutral events", perEvent(converse, () => bedrock.streamDecoder("anthropic.claude-haiku-4-5-20251001-v1:0")));
    bench("Bedrock decode → OpenAI chunks", perEvent(converse, () => translator(bedrock.streamDecoder("anthropic.claude-haiku-4-5-20251001-v1:0"), openai.streamEncoder(body))));
  });
});

// One byte stream cut at arbitrary points, as sockets deliver it: messages span chunks.
const joined = new Uint8Array(converse.reduce((n, c) => n + c.length, 0));
converse.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
const cut = Array.from({ length: Math.ceil(joined.length / 100) }, (_, i) => joined.subarray(i * 100, (i + 1) * 100));
summary(() => {
  group(`stream, the same Bedrock answer in 100-byte chunks (${cut.length})`, () => {
    bench("Bedrock decode → neutral events, whole messages", perEvent(converse, () => bedrock.streamDecoder("m")));
    bench("Bedrock decode → neutral events, 100-byte chunks", perEvent(cut, () => bedrock.streamDecoder("m")));
  });
});

const answer = JSON.stringify({
  output: { message: { role: "assistant", content: [{ text: pieces.join("") }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 21, outputTokens: 19, totalTokens: 40 },
  metrics: { latencyMs: 310 },
});
summary(() => {
  group("whole answer, Converse → OpenAI chat.completion", () => {
    bench("JSON.parse + stringify (baseline)", () => do_not_optimize(JSON.stringify(JSON.parse(answer))));
    bench("parseResponse → encodeResponse", () => do_not_optimize(openai.encodeResponse(bedrock.parseResponse(answer, "m"), body)));
  });
});

await run();
