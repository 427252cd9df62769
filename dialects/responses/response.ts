/** OpenAI Responses API `response` objects ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import type { RequestBody } from "../../core/context.ts";
import type { Usage } from "../../core/types.ts";
import { isObject, type Json } from "../json.ts";
import { usageFromResponses, usageToResponses } from "./usage.ts";

type Content = CanonicalResponse["content"][number];

/** An id with the prefix Responses clients expect (`resp_`, `msg_`, `fc_`, `rs_`). */
export function prefixed(prefix: string, id: string): string {
  return id.startsWith(prefix) ? id : `${prefix}${id.length > 0 ? id.replace(/[^A-Za-z0-9]/g, "") : crypto.randomUUID().replaceAll("-", "")}`;
}

/** A fresh item id, `<prefix>` and 24 hex digits. */
export function itemId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}

/** The neutral finish of a response: its status, why it is incomplete, and whether it called a function. */
export function finishFromResponses(status: unknown, incomplete: unknown, called: boolean): FinishReason {
  if (status === "incomplete") {
    const reason = isObject(incomplete) ? incomplete.reason : null;
    return reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "content_filter" : "other";
  }
  if (status === "failed" || status === "cancelled") return "other";
  return called ? "tool_calls" : "stop";
}

/** The status and `incomplete_details` a neutral finish is reported with. */
export function statusOf(finish: FinishReason): { status: string; incomplete_details: Json | null } {
  if (finish === "length" || finish === "context_window") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

function reasoningText(item: Json): string {
  const pieces: string[] = [];
  for (const list of [item.summary, item.content]) {
    if (!Array.isArray(list)) continue;
    for (const part of list) if (isObject(part) && typeof part.text === "string") pieces.push(part.text);
    if (pieces.length > 0) break;
  }
  return pieces.join("\n\n");
}

/** The output items of a response as neutral content, and whether any was a function call. */
export function contentOf(output: unknown): { content: Content[]; called: boolean } {
  const content: Content[] = [];
  let called = false;
  for (const item of Array.isArray(output) ? output : []) {
    if (!isObject(item)) continue;
    if (item.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (!isObject(part)) continue;
        const text = part.type === "output_text" ? part.text : part.type === "refusal" ? part.refusal : null;
        if (typeof text === "string" && text.length > 0) content.push({ type: "text", text });
      }
    } else if (item.type === "function_call" && typeof item.name === "string") {
      called = true;
      const id = typeof item.call_id === "string" ? item.call_id : typeof item.id === "string" ? item.id : `call_${content.length}`;
      content.push({ type: "tool_call", id, name: item.name, arguments: typeof item.arguments === "string" && item.arguments.length > 0 ? item.arguments : "{}" });
    } else if (item.type === "reasoning") {
      const text = reasoningText(item);
      if (text.length > 0) content.push({ type: "thinking", text, signature: null });
    }
  }
  return { content, called };
}

export function parseResponsesResponse(text: string): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  const { content, called } = contentOf(body.output);
  return {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    created: typeof body.created_at === "number" ? body.created_at : Math.floor(Date.now() / 1000),
    content,
    finish: finishFromResponses(body.status, body.incomplete_details, called),
    stopSequence: null,
    usage: usageFromResponses(body.usage),
  };
}

/** Neutral content as output items: a message per run of text, a function_call per call, a reasoning item per thinking part. */
export function outputItems(content: CanonicalResponse["content"]): Json[] {
  const items: Json[] = [];
  let message: Json[] | null = null;
  for (const part of content) {
    if (part.type === "text") {
      if (message === null) {
        message = [];
        items.push({ id: itemId("msg_"), type: "message", status: "completed", role: "assistant", content: message });
      }
      message.push({ type: "output_text", text: part.text, annotations: [], logprobs: [] });
      continue;
    }
    message = null;
    if (part.type === "tool_call") items.push({ id: itemId("fc_"), type: "function_call", status: "completed", arguments: part.arguments, call_id: part.id, name: part.name });
    else if (part.type === "thinking") items.push({ id: itemId("rs_"), type: "reasoning", summary: [{ type: "summary_text", text: part.text }] });
  }
  return items;
}

/**
 * A `response` object in full, as the Responses API returns it and its `response.*` stream
 * events carry it. The request's own settings are echoed, as the API does.
 */
export function responseObject(fields: { id: string; model: string; created: number; status: string; incomplete: Json | null; output: Json[]; usage: Usage | null; error?: Json | null }, body: RequestBody): Json {
  const reasoning = isObject(body.reasoning) ? body.reasoning : {};
  const text = isObject(body.text) ? body.text : {};
  return {
    id: prefixed("resp_", fields.id),
    object: "response",
    created_at: fields.created,
    status: fields.status,
    background: false,
    error: fields.error ?? null,
    incomplete_details: fields.incomplete,
    instructions: typeof body.instructions === "string" ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === "number" ? body.max_output_tokens : null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: null,
    reasoning: { effort: typeof reasoning.effort === "string" ? reasoning.effort : null, summary: typeof reasoning.summary === "string" ? reasoning.summary : null },
    store: false,
    temperature: typeof body.temperature === "number" ? body.temperature : 1,
    text: { format: isObject(text.format) ? text.format : { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: typeof body.top_p === "number" ? body.top_p : 1,
    truncation: "disabled",
    usage: fields.usage === null ? null : usageToResponses(fields.usage),
    user: typeof body.user === "string" ? body.user : null,
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
}

export function encodeResponsesResponse(response: CanonicalResponse, body: RequestBody): string {
  const { status, incomplete_details } = statusOf(response.finish);
  return JSON.stringify(
    responseObject({ id: response.id, model: response.model, created: response.created, status, incomplete: incomplete_details, output: outputItems(response.content), usage: response.usage }, body),
  );
}
