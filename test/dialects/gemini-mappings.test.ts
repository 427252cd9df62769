/**
 * How the Gemini dialect maps what the conformance transcripts do not show: what it drops and
 * refuses, how function calls without ids are matched to their responses, schemas and media.
 */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../core/errors.ts";
import { bindGeminiRoute, gemini } from "../../dialects/gemini/index.ts";
import { neutralRequest } from "../../testing/index.ts";

const bound = (body: Record<string, unknown>, stream = false) => bindGeminiRoute(body, "gemini-2.5-flash", stream);
const encode = (fields: Partial<Parameters<typeof neutralRequest>[0]>) => gemini.encodeRequest(neutralRequest({ model: "m", ...fields }), { model: "m", streamUsage: false });

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error("expected a refusal");
}

describe("Gemini requests in neutral form", () => {
  it("matches responses without ids to the oldest unanswered call of their name", () => {
    const parsed = gemini.parseRequest(bound({
      contents: [
        { role: "user", parts: [{ text: "both" }] },
        { role: "model", parts: [{ functionCall: { name: "a", args: {} } }, { functionCall: { name: "b", args: {} } }, { functionCall: { name: "a", args: { n: 2 } } }] },
        { role: "user", parts: [{ functionResponse: { name: "a", response: { result: "first a" } } }, { functionResponse: { name: "b", response: {} } }, { functionResponse: { name: "a", response: { result: "second a" } } }] },
      ],
    }));
    const calls = parsed.messages[1].content.map((p) => (p.type === "tool_call" ? p.id : null));
    const results = parsed.messages[2].content.map((p) => (p.type === "tool_result" ? [p.callId, p.content] : null));
    expect(calls).toEqual(["call_0", "call_1", "call_2"]);
    expect(results).toEqual([["call_0", [{ type: "text", text: "first a" }]], ["call_1", [{ type: "text", text: "{}" }]], ["call_2", [{ type: "text", text: "second a" }]]]);
  });

  it("keeps ids Gemini 3 gives, and lowers upper-case schema types without touching a property named type", () => {
    const parsed = gemini.parseRequest(bound({
      contents: [{ role: "model", parts: [{ functionCall: { id: "fc-9", name: "f", args: {} } }] }, { parts: [{ functionResponse: { id: "fc-9", name: "f", response: { ok: true } } }] }],
      tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "OBJECT", properties: { type: { type: "STRING", enum: ["A"] }, list: { type: "ARRAY", items: { type: "INTEGER" } } } } }] }],
    }));
    expect(parsed.messages[0].content[0]).toMatchObject({ id: "fc-9" });
    expect(parsed.messages[1].content[0]).toMatchObject({ callId: "fc-9", content: [{ text: '{"ok":true}' }] });
    expect(parsed.tools[0].parameters).toEqual({ type: "object", properties: { type: { type: "string", enum: ["A"] }, list: { type: "array", items: { type: "integer" } } } });
  });

  it("reads media parts as images or documents, and the stream flag and model from the path", () => {
    const parsed = gemini.parseRequest(bound({ contents: [{ parts: [{ inlineData: { mimeType: "image/png", data: "iVBO" } }, { fileData: { mimeType: "application/pdf", fileUri: "https://x.test/a.pdf" } }] }] }, true));
    expect(parsed).toMatchObject({ model: "gemini-2.5-flash", stream: true });
    expect(parsed.messages[0].content).toEqual([
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
      { type: "document", source: { kind: "url", url: "https://x.test/a.pdf" } },
    ]);
  });

  it("reports what it drops: safety settings, unknown config, includeThoughts, several allowed functions, code execution parts", () => {
    const parsed = gemini.parseRequest(bound({
      contents: [{ parts: [{ text: "x" }, { executableCode: { language: "PYTHON", code: "1" } }] }],
      safetySettings: [],
      generationConfig: { responseModalities: ["TEXT"], thinkingConfig: { includeThoughts: true, thinkingBudget: 0 }, candidateCount: 1 },
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["a", "b"] } },
    }));
    expect([...parsed.dropped].sort()).toEqual(["executableCode", "generationConfig.responseModalities", "generationConfig.thinkingConfig.includeThoughts", "safetySettings", "toolConfig.functionCallingConfig.allowedFunctionNames"]);
    expect(parsed.reasoning).toEqual({ disabled: true });
    expect(parsed.toolChoice).toEqual({ type: "required" });
  });

  it("refuses what only Google's servers can do: built-in tools and cached content", () => {
    expect(refusal(() => gemini.parseRequest(bound({ contents: [{ parts: [{ text: "x" }] }], tools: [{ codeExecution: {} }] }))).param).toBe("tools[0].codeExecution");
    expect(refusal(() => gemini.parseRequest(bound({ contents: [{ parts: [{ text: "x" }] }], cachedContent: "cachedContents/abc" }))).param).toBe("cachedContent");
  });

  it("validates the bound body: contents, roles, the model from the path", () => {
    expect(refusal(() => gemini.validate(bound({ contents: [] }))).param).toBe("contents");
    expect(refusal(() => gemini.validate(bound({ contents: [{ role: "assistant", parts: [] }] }))).param).toBe("contents[0].role");
    expect(refusal(() => gemini.validate({ contents: [{ parts: [] }] })).param).toBe("model");
  });
});

describe("neutral requests as Gemini bodies", () => {
  it("sends tool results under the name of their call, JSON objects as objects and other text wrapped", () => {
    const { body } = encode({
      messages: [
        { role: "assistant", content: [{ type: "tool_call", id: "call_x", name: "lookup", arguments: '{"q":1}' }, { type: "tool_call", id: "call_y", name: "other", arguments: "{}" }] },
        { role: "user", content: [{ type: "tool_result", callId: "call_x", content: [{ type: "text", text: '{"hits":3}' }], isError: false }, { type: "tool_result", callId: "call_y", content: [{ type: "text", text: "boom" }], isError: true }] },
      ],
    });
    expect(body.contents).toEqual([
      { role: "model", parts: [{ functionCall: { id: "call_x", name: "lookup", args: { q: 1 } } }, { functionCall: { id: "call_y", name: "other", args: {} } }] },
      { role: "user", parts: [{ functionResponse: { id: "call_x", name: "lookup", response: { hits: 3 } } }, { functionResponse: { id: "call_y", name: "other", response: { error: "boom" } } }] },
    ]);
  });

  it("moves later system messages into systemInstruction, data URLs to inline data, and reports parallel_tool_calls and user", () => {
    const { body, dropped } = encode({
      system: [{ type: "text", text: "first" }],
      messages: [
        { role: "user", content: [{ type: "text", text: "hi" }, { type: "image", source: { kind: "url", url: "data:image/png;base64,AAAA" } }, { type: "image", source: { kind: "url", url: "https://x.test/cat.webp" } }] },
        { role: "system", content: [{ type: "text", text: "later" }] },
      ],
      parallelToolCalls: false,
      user: "u-1",
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: "first" }, { text: "later" }] });
    expect(body.contents).toEqual([{ role: "user", parts: [{ text: "hi" }, { inlineData: { mimeType: "image/png", data: "AAAA" } }, { fileData: { mimeType: "image/webp", fileUri: "https://x.test/cat.webp" } }] }]);
    expect([...dropped].sort()).toEqual(["parallel_tool_calls", "user"]);
  });

  it("maps tool choice, response formats and reasoning to generationConfig and toolConfig", () => {
    const tools = [{ name: "f", parameters: { type: "object", additionalProperties: false } }];
    expect(encode({ tools, toolChoice: { type: "tool", name: "f" } }).body).toMatchObject({
      tools: [{ functionDeclarations: [{ name: "f", parametersJsonSchema: { type: "object", additionalProperties: false } }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } },
    });
    expect(encode({ responseFormat: { type: "json_schema", name: "r", schema: { type: "object" } }, reasoning: { effort: "low" } }).body.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object" },
      thinkingConfig: { thinkingBudget: 2048 },
    });
    expect(encode({ responseFormat: { type: "json_object" }, reasoning: { disabled: true } }).body.generationConfig).toEqual({ responseMimeType: "application/json", thinkingConfig: { thinkingBudget: 0 } });
  });

  it("gives the first replayed call of each model turn the documented signature sentinel, for Gemini 3 and later only", () => {
    const messages = [
      { role: "assistant" as const, content: [{ type: "tool_call" as const, id: "a", name: "f", arguments: "{}" }, { type: "tool_call" as const, id: "b", name: "f", arguments: "{}" }] },
      { role: "user" as const, content: [{ type: "tool_result" as const, callId: "a", content: [], isError: false }, { type: "tool_result" as const, callId: "b", content: [], isError: false }] },
    ];
    const request = neutralRequest({ model: "m", messages });
    const three = gemini.encodeRequest(request, { model: "gemini-3.5-flash", streamUsage: false }).body.contents as { parts: Record<string, unknown>[] }[];
    expect(three[0].parts.map((part) => part.thoughtSignature)).toEqual(["skip_thought_signature_validator", undefined]);
    const two = gemini.encodeRequest(request, { model: "gemini-2.5-flash", streamUsage: false }).body.contents as { parts: Record<string, unknown>[] }[];
    expect(two[0].parts.map((part) => part.thoughtSignature)).toEqual([undefined, undefined]);
  });

  it("refuses tool-call arguments that are not a JSON object", () => {
    expect(refusal(() => encode({ messages: [{ role: "assistant", content: [{ type: "tool_call", id: "c", name: "f", arguments: "[1]" }] }] })).status).toBe(400);
  });

  it("strips the bound members when a plugin's changed body is passed through", () => {
    const body = bound({ contents: [{ parts: [{ text: "x" }] }] });
    const raw = '{"contents":[{"parts":[{"text":"x"}]}]}';
    expect(gemini.passthroughBody(raw, body, { model: "t", streamUsage: true })).toBe(raw);
    expect(JSON.parse(gemini.passthroughBody(JSON.stringify(body), body, { model: "t", streamUsage: true }))).toEqual({ contents: [{ parts: [{ text: "x" }] }] });
  });
});
