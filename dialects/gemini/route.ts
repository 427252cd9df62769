import type { RequestBody } from "../../core/context.ts";
import { topLevelMember } from "../../core/json-text.ts";

/**
 * Gemini names the model and the method in the path (`/v1beta/models/{model}:streamGenerateContent`),
 * not the body. The surface binds them into the parsed body as `model` and `stream`, where every
 * other dialect keeps them, so plugins (auth, routing, cache keys, limits) read them the same way
 * on every surface. Neither is a field of Gemini's JSON, and neither is ever sent upstream.
 */
export function bindGeminiRoute(body: RequestBody, model: string, stream: boolean): RequestBody {
  const bound = { ...body, model, stream };
  // Its members are the parsed body's, frozen already.
  return Object.freeze(bound);
}

/**
 * The body for a Gemini upstream, from the client's text: its own bytes when nothing changed them
 * (the model goes in the URL), or — when a plugin replaced the body, which was re-serialised with
 * the bound members — the body without them.
 */
export function geminiPassthroughBody(text: string, body: RequestBody): string {
  if (topLevelMember(text, "model") === null && topLevelMember(text, "stream") === null) return text;
  const { model: _model, stream: _stream, ...rest } = body;
  return JSON.stringify(rest);
}
