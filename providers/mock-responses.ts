/**
 * A deterministic stand-in for a model behind the OpenAI Responses API, written from OpenAI's API
 * reference (https://platform.openai.com/docs/api-reference/responses/create,
 * https://platform.openai.com/docs/api-reference/responses-streaming): `response` objects with
 * message and function_call output items, and the typed event stream (response.created,
 * .in_progress, output_item.added, content_part.added, output_text.delta / function_call_arguments
 * .delta, their .done events, output_item.done, response.completed). The turn itself is
 * `mockTurn`'s, as in every format the mock speaks; the official SDK checks the wire in tests.
 */
import { estimateTokens, type MockChatOptions, mockTurn, nextId, pieces } from "./mock-llm.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : "")).filter((t) => t.length > 0).join(" ");
}

function itemsOf(body: Json): Json[] {
  if (typeof body.input === "string") return [{ role: "user", content: body.input }];
  return Array.isArray(body.input) ? body.input.filter(isObject) : [];
}

function compose(body: Json, options: MockChatOptions) {
  const items = itemsOf(body);
  let said = "";
  for (let i = items.length - 1; i >= 0 && said.length === 0; i--) if (items[i].role === "user") said = textOf(items[i].content);
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObject).filter((t) => t.type === "function" && typeof t.name === "string").map((t) => t.name as string) : [];
  const choice = body.tool_choice;
  const turn = mockTurn({
    said,
    tools,
    forced: isObject(choice) && typeof choice.name === "string" ? choice.name : null,
    none: choice === "none",
    required: choice === "required",
    afterToolResult: items.length > 0 && items[items.length - 1].type === "function_call_output",
    maxTokens: typeof body.max_output_tokens === "number" ? body.max_output_tokens : null,
  }, options);
  let input = 3 + estimateTokens(typeof body.instructions === "string" ? body.instructions : "");
  for (const item of items) input += 4 + estimateTokens(textOf(item.content) + (typeof item.arguments === "string" ? item.arguments : "") + (typeof item.output === "string" ? item.output : ""));
  if (Array.isArray(body.tools)) input += estimateTokens(JSON.stringify(body.tools));
  const id = nextId("resp").replace("-", "_");
  return { id, turn, usage: { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: turn.outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + turn.outputTokens } };
}

function response(body: Json, id: string, status: string, output: Json[], usage: Json | null, incomplete: Json | null): Json {
  return {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: incomplete,
    instructions: typeof body.instructions === "string" ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === "number" ? body.max_output_tokens : null,
    model: String(body.model),
    output,
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: typeof body.previous_response_id === "string" ? body.previous_response_id : null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: typeof body.temperature === "number" ? body.temperature : 1,
    text: { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: typeof body.top_p === "number" ? body.top_p : 1,
    truncation: "disabled",
    usage,
    user: null,
    metadata: {},
  };
}

function itemFor(turn: ReturnType<typeof compose>["turn"], itemId: string, callId: string): Json {
  if (turn.tool !== null) return { id: itemId, type: "function_call", status: "completed", arguments: turn.tool.arguments, call_id: callId, name: turn.tool.name };
  return { id: itemId, type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: turn.text, annotations: [], logprobs: [] }] };
}

function ids(turn: ReturnType<typeof compose>["turn"]): { item: string; call: string } {
  return { item: nextId(turn.tool !== null ? "fc" : "msg").replace("-", "_"), call: nextId("call").replace("-", "_") };
}

/** A Responses API `response` object, serialised. */
export function mockResponse(body: Json, options: MockChatOptions = {}): string {
  const { id, turn, usage } = compose(body, options);
  const { item, call } = ids(turn);
  const incomplete = turn.finish === "length" ? { reason: "max_output_tokens" } : null;
  return JSON.stringify(response(body, id, incomplete === null ? "completed" : "incomplete", [itemFor(turn, item, call)], usage, incomplete));
}

/** The typed SSE events of a streamed response, each a complete `event: …\ndata: …\n\n` string. */
export function mockResponseStreamEvents(body: Json, options: MockChatOptions = {}): string[] {
  const { id, turn, usage } = compose(body, options);
  const { item, call } = ids(turn);
  let seq = 0;
  const events: string[] = [];
  const send = (type: string, data: Json): void => {
    events.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  };
  const started = response(body, id, "in_progress", [], null, null);
  send("response.created", { response: started });
  send("response.in_progress", { response: started });
  const done = itemFor(turn, item, call);
  const size = options.chunkChars ?? 12;
  if (turn.tool !== null) {
    send("response.output_item.added", { output_index: 0, item: { ...done, status: "in_progress", arguments: "" } });
    for (const delta of pieces(turn.tool.arguments, size)) send("response.function_call_arguments.delta", { item_id: item, output_index: 0, delta });
    send("response.function_call_arguments.done", { item_id: item, output_index: 0, name: turn.tool.name, arguments: turn.tool.arguments });
  } else {
    send("response.output_item.added", { output_index: 0, item: { ...done, status: "in_progress", content: [] } });
    send("response.content_part.added", { item_id: item, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [], logprobs: [] } });
    for (const delta of pieces(turn.text, size)) send("response.output_text.delta", { item_id: item, output_index: 0, content_index: 0, delta, logprobs: [] });
    send("response.output_text.done", { item_id: item, output_index: 0, content_index: 0, text: turn.text, logprobs: [] });
    send("response.content_part.done", { item_id: item, output_index: 0, content_index: 0, part: (done.content as Json[])[0] });
  }
  send("response.output_item.done", { output_index: 0, item: done });
  const incomplete = turn.finish === "length" ? { reason: "max_output_tokens" } : null;
  send(incomplete === null ? "response.completed" : "response.incomplete", { response: response(body, id, incomplete === null ? "completed" : "incomplete", [done], usage, incomplete) });
  return events;
}
