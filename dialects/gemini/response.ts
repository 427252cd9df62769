/** Gemini `GenerateContentResponse` answers ↔ the neutral form. */
import type { CanonicalResponse, FinishReason } from "../../core/canonical.ts";
import { isObject, type Json } from "../json.ts";
import { usageFromGemini, usageToGemini } from "./usage.ts";

type Content = CanonicalResponse["content"][number];

/**
 * Gemini ends a turn that calls functions with `STOP`, like any other; a call among the parts is
 * what makes it a tool-call finish. The safety family (and a prompt blocked outright) is a
 * content-filter finish.
 */
export function finishFromGemini(reason: unknown, calledTools: boolean): FinishReason {
  switch (reason) {
    case "STOP":
      return calledTools ? "tool_calls" : "stop";
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
    case "IMAGE_PROHIBITED_CONTENT":
    case "IMAGE_RECITATION":
    case "LANGUAGE":
      return "content_filter";
    default:
      return calledTools ? "tool_calls" : "other";
  }
}

export function finishToGemini(reason: FinishReason): string {
  switch (reason) {
    case "length":
    case "context_window":
      return "MAX_TOKENS";
    case "content_filter":
      return "SAFETY";
    case "other":
      return "OTHER";
    default:
      return "STOP";
  }
}

/** An id for a function call Gemini gave none: unique within the response, stable across reads of it. */
export function callIdFor(responseId: string, index: number): string {
  return responseId.length > 0 ? `call_${responseId}_${index}` : `call_${index}`;
}

/** The parts of a candidate's content as neutral content, function calls given ids where they have none. */
export function contentOf(parts: unknown, responseId: string, offset = 0): Content[] {
  const out: Content[] = [];
  if (!Array.isArray(parts)) return out;
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (typeof part.text === "string") {
      if (part.thought === true) out.push({ type: "thinking", text: part.text, signature: typeof part.thoughtSignature === "string" ? part.thoughtSignature : null });
      else out.push({ type: "text", text: part.text });
    } else if (isObject(part.functionCall) && typeof part.functionCall.name === "string") {
      const call = part.functionCall;
      const id = typeof call.id === "string" && call.id.length > 0 ? call.id : callIdFor(responseId, offset + out.length);
      out.push({ type: "tool_call", id, name: call.name as string, arguments: JSON.stringify(call.args ?? {}) });
    }
  }
  return out;
}

/** Consecutive text parts (Gemini splits answers at will) as one. */
function joined(content: Content[]): Content[] {
  const out: Content[] = [];
  for (const part of content) {
    const last = out[out.length - 1];
    if (part.type === "text" && last?.type === "text") out[out.length - 1] = { type: "text", text: last.text + part.text };
    else out.push(part);
  }
  return out;
}

export function parseGeminiResponse(text: string): CanonicalResponse {
  const body = JSON.parse(text) as Json;
  const id = typeof body.responseId === "string" ? body.responseId : "";
  const candidate = Array.isArray(body.candidates) && isObject(body.candidates[0]) ? body.candidates[0] : null;
  const content = candidate !== null && isObject(candidate.content) ? joined(contentOf(candidate.content.parts, id)) : [];
  const blocked = candidate === null && isObject(body.promptFeedback) && typeof body.promptFeedback.blockReason === "string";
  return {
    id,
    model: typeof body.modelVersion === "string" ? body.modelVersion : "",
    created: Math.floor(Date.now() / 1000),
    content,
    finish: blocked ? "content_filter" : finishFromGemini(candidate?.finishReason, content.some((part) => part.type === "tool_call")),
    stopSequence: null,
    usage: usageFromGemini(body.usageMetadata),
  };
}

/** Neutral content as Gemini parts. */
export function geminiParts(content: CanonicalResponse["content"]): Json[] {
  const parts: Json[] = [];
  for (const part of content) {
    switch (part.type) {
      case "text":
        parts.push({ text: part.text });
        break;
      case "tool_call": {
        let args: unknown = {};
        try {
          args = JSON.parse(part.arguments);
        } catch {
          // A model that produced broken arguments: the client gets them as a string it can see.
          args = { arguments: part.arguments };
        }
        parts.push({ functionCall: { id: part.id, name: part.name, args } });
        break;
      }
      case "thinking": {
        const out: Json = { text: part.text, thought: true };
        if (part.signature !== null) out.thoughtSignature = part.signature;
        parts.push(out);
        break;
      }
      case "redacted_thinking":
        // Encrypted reasoning of another provider: nothing a Gemini client can read or send back.
        break;
    }
  }
  return parts;
}

export function encodeGeminiResponse(response: CanonicalResponse): string {
  const body: Json = {
    candidates: [{ content: { parts: geminiParts(response.content), role: "model" }, finishReason: finishToGemini(response.finish), index: 0 }],
  };
  if (response.usage !== null) body.usageMetadata = usageToGemini(response.usage);
  body.modelVersion = response.model;
  body.responseId = response.id;
  return JSON.stringify(body);
}
