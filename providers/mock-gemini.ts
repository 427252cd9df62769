/**
 * A deterministic stand-in for a Gemini model that speaks the Gemini API exactly, written from
 * Google's documentation (https://ai.google.dev/api/generate-content,
 * https://ai.google.dev/api/tokens, https://ai.google.dev/api/embeddings,
 * https://ai.google.dev/gemini-api/docs/function-calling): `GenerateContentResponse` objects with
 * text and `functionCall` parts, `finishReason`, `usageMetadata`, `modelVersion` and `responseId`;
 * the `alt=sse` stream of response chunks (the last one with the finish reason and full usage);
 * token counts; single and batch embeddings. The turn itself is `mockTurn`'s, as in every format
 * the mock speaks; `@google/genai` checks the wire in the tests.
 */
import { estimateTokens, type MockChatOptions, mockTurn, nextId, pieces, vectorFor } from "./mock-llm.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function partsOf(content: unknown): Json[] {
  return isObject(content) && Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
}

function textOf(content: unknown): string {
  return partsOf(content).map((part) => (typeof part.text === "string" && part.thought !== true ? part.text : "")).filter((t) => t.length > 0).join(" ");
}

function contentsOf(body: Json): Json[] {
  return Array.isArray(body.contents) ? body.contents.filter(isObject) : [];
}

function toolNames(body: Json): string[] {
  const names: string[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools.filter(isObject) : []) {
    for (const fn of Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations.filter(isObject) : []) if (typeof fn.name === "string") names.push(fn.name);
  }
  return names;
}

/** Input tokens as the mock counts them: the system instruction, every turn, the tools. */
export function mockGeminiInputTokens(body: Json): number {
  let tokens = 3 + estimateTokens(textOf(body.systemInstruction));
  for (const content of contentsOf(body)) tokens += 4 + estimateTokens(JSON.stringify(partsOf(content)));
  if (Array.isArray(body.tools)) tokens += estimateTokens(JSON.stringify(body.tools));
  return tokens;
}

function compose(body: Json, model: string, options: MockChatOptions) {
  const contents = contentsOf(body);
  let said = "";
  for (let i = contents.length - 1; i >= 0 && said.length === 0; i--) if (contents[i].role !== "model") said = textOf(contents[i]);
  const calling = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames : [];
  const last = contents[contents.length - 1];
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  const turn = mockTurn({
    said,
    tools: toolNames(body),
    forced: calling.mode === "ANY" && typeof allowed[0] === "string" ? allowed[0] : null,
    none: calling.mode === "NONE",
    required: calling.mode === "ANY",
    afterToolResult: last !== undefined && partsOf(last).some((part) => isObject(part.functionResponse)),
    maxTokens: typeof config.maxOutputTokens === "number" ? config.maxOutputTokens : null,
    stops: Array.isArray(config.stopSequences) ? config.stopSequences.filter((s): s is string => typeof s === "string") : [],
  }, options);
  const prompt = mockGeminiInputTokens(body);
  const usageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: turn.outputTokens,
    totalTokenCount: prompt + turn.outputTokens,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
  // Gemini spells a stop at a stop sequence, like any natural stop, as STOP.
  const finishReason = turn.finish === "length" ? "MAX_TOKENS" : "STOP";
  const responseId = nextId("resp").replace("-mock", "Mock");
  return { turn, usageMetadata, finishReason, responseId, model };
}

/** A `GenerateContentResponse`, serialised. `model` is the path's model id. */
export function mockGenerateContent(body: Json, model: string, options: MockChatOptions = {}): string {
  const { turn, usageMetadata, finishReason, responseId } = compose(body, model, options);
  const parts = turn.tool !== null ? [{ functionCall: { name: turn.tool.name, args: JSON.parse(turn.tool.arguments) } }] : [{ text: turn.text }];
  return JSON.stringify({
    candidates: [{ content: { parts, role: "model" }, finishReason, index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId,
  });
}

/**
 * The SSE events of `streamGenerateContent?alt=sse`, each a complete `data: …\r\n\r\n` string:
 * text in pieces (every chunk with the usage so far), a function call whole, and a last chunk
 * with the finish reason and the full usage.
 */
export function mockStreamGenerateContentEvents(body: Json, model: string, options: MockChatOptions = {}): string[] {
  const { turn, usageMetadata, finishReason, responseId } = compose(body, model, options);
  const events: string[] = [];
  const send = (parts: Json[], finish: string | null, usage: Json): void => {
    const candidate: Json = { content: { parts, role: "model" }, index: 0 };
    if (finish !== null) candidate.finishReason = finish;
    events.push(`data: ${JSON.stringify({ candidates: [candidate], usageMetadata: usage, modelVersion: model, responseId })}\r\n\r\n`);
  };
  const partial = { promptTokenCount: usageMetadata.promptTokenCount, totalTokenCount: usageMetadata.promptTokenCount, promptTokensDetails: usageMetadata.promptTokensDetails };
  if (turn.tool !== null) {
    send([{ functionCall: { name: turn.tool.name, args: JSON.parse(turn.tool.arguments) } }], finishReason, usageMetadata);
    return events;
  }
  const chunks = pieces(turn.text, options.chunkChars ?? 12);
  chunks.forEach((text, i) => send([{ text }], i === chunks.length - 1 ? finishReason : null, i === chunks.length - 1 ? usageMetadata : partial));
  if (chunks.length === 0) send([{ text: "" }], finishReason, usageMetadata);
  return events;
}

/** `models/{model}:countTokens`: the body's contents, or those of its `generateContentRequest`. */
export function mockCountGeminiTokens(body: Json): string {
  const inner = isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  const totalTokens = mockGeminiInputTokens(inner);
  return JSON.stringify({ totalTokens, promptTokensDetails: [{ modality: "TEXT", tokenCount: totalTokens }] });
}

function embeddingOf(request: Json, defaultDimensions: number): Json {
  const dimensions = typeof request.outputDimensionality === "number" && request.outputDimensionality > 0 ? Math.min(request.outputDimensionality, 3072) : defaultDimensions;
  return { values: Array.from(vectorFor(textOf(request.content), dimensions)) };
}

/** `models/{model}:embedContent`. */
export function mockEmbedContent(body: Json, dimensions = 768): string {
  return JSON.stringify({ embedding: embeddingOf(body, dimensions) });
}

/** `models/{model}:batchEmbedContents`, or null when a request names another model than the path (Gemini refuses those). */
export function mockBatchEmbedContents(body: Json, model: string, dimensions = 768): string | null {
  const requests = Array.isArray(body.requests) ? body.requests.filter(isObject) : [];
  if (requests.some((request) => request.model !== `models/${model}`)) return null;
  return JSON.stringify({ embeddings: requests.map((request) => embeddingOf(request, dimensions)) });
}
