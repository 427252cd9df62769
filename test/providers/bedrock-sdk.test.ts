/**
 * The mock Bedrock Runtime judged by the official AWS SDK (`@aws-sdk/client-bedrock-runtime`), with
 * nothing in between: Converse and ConverseStream (text, tool use, usage), the SDK's own SigV4
 * signing accepted, its errors typed from the mock's AWS JSON errors and stream exceptions.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, ThrottlingException, ValidationException } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../../runtimes/node.ts";
import { mockBedrockUpstream } from "../../testing/index.ts";

const CREDENTIALS = { accessKeyId: "AKIAMOCKBEDROCK00001", secretAccessKey: "mock-secret-key-0123456789abcdefghij", sessionToken: "mock-session-token" };
const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
const mock = mockBedrockUpstream(CREDENTIALS);
let server: Awaited<ReturnType<typeof listen>>;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  server = await listen(mock.fetch, { port: 0 });
  // The SDK speaks HTTP/2 to Bedrock by default; the test listener is HTTP/1.1.
  client = new BedrockRuntimeClient({ region: "us-west-2", endpoint: server.url, credentials: CREDENTIALS, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
});
afterAll(async () => {
  client.destroy();
  await server.close(500);
});

const weatherTool = { toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } } };

describe("the Bedrock mock, judged by the AWS SDK", () => {
  it("answers Converse with text, a stop reason and usage, to a signed request", async () => {
    mock.reset();
    const answer = await client.send(new ConverseCommand({ modelId: MODEL, system: [{ text: "Be brief." }], messages: [{ role: "user", content: [{ text: "Hello Bedrock" }] }], inferenceConfig: { maxTokens: 200, temperature: 0.5 } }));
    expect(answer.output?.message?.content?.[0].text).toContain("Hello Bedrock");
    expect(answer.stopReason).toBe("end_turn");
    expect(answer.usage?.inputTokens).toBeGreaterThan(0);
    expect(answer.usage?.totalTokens).toBe((answer.usage?.inputTokens ?? 0) + (answer.usage?.outputTokens ?? 0));
    expect(answer.$metadata.requestId).toBe("4c1d7a9e-mock-bedrock-0001");
    expect(mock.models).toEqual([MODEL]);
    expect(mock.calls[0].path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(mock.calls[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAMOCKBEDROCK00001\/\d{8}\/us-west-2\/bedrock\/aws4_request/);
  });

  it("calls a tool with Converse, its input an object", async () => {
    const answer = await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "Weather in Lima?" }] }], toolConfig: { tools: [weatherTool], toolChoice: { tool: { name: "get_weather" } } } }));
    expect(answer.stopReason).toBe("tool_use");
    const use = answer.output?.message?.content?.[0].toolUse;
    expect(use?.name).toBe("get_weather");
    expect(use?.input).toEqual({ query: "Weather in Lima?" });
    expect(use?.toolUseId).toMatch(/^tooluse_/);
  });

  it("streams text with ConverseStream: messageStart, deltas, contentBlockStop, messageStop, metadata", async () => {
    const answer = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "Stream to me" }] }] }));
    const kinds: string[] = [];
    let text = "";
    let usage = 0;
    let stop = "";
    for await (const event of answer.stream!) {
      kinds.push(Object.keys(event).find((k) => (event as unknown as Record<string, unknown>)[k] !== undefined)!);
      text += event.contentBlockDelta?.delta?.text ?? "";
      usage = event.metadata?.usage?.totalTokens ?? usage;
      stop = event.messageStop?.stopReason ?? stop;
    }
    expect(kinds[0]).toBe("messageStart");
    expect(kinds.slice(-3)).toEqual(["contentBlockStop", "messageStop", "metadata"]);
    expect(text).toContain("Stream to me");
    expect(stop).toBe("end_turn");
    expect(usage).toBeGreaterThan(0);
  });

  it("streams a tool call: contentBlockStart with the tool, input deltas joining to JSON", async () => {
    const answer = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "Weather in Quito?" }] }], toolConfig: { tools: [weatherTool], toolChoice: { any: {} } } }));
    let name = "";
    let input = "";
    let stop = "";
    for await (const event of answer.stream!) {
      name = event.contentBlockStart?.start?.toolUse?.name ?? name;
      input += event.contentBlockDelta?.delta?.toolUse?.input ?? "";
      stop = event.messageStop?.stopReason ?? stop;
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(input)).toEqual({ query: "Weather in Quito?" });
    expect(stop).toBe("tool_use");
  });

  it("raises its errors as the SDK's typed exceptions: throttling, validation", async () => {
    mock.fail({ status: 429 });
    const throttled = await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "x" }] }] })).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect((throttled as ThrottlingException).$metadata.httpStatusCode).toBe(429);
    const invalid = await client.send(new ConverseCommand({ modelId: MODEL, messages: [] })).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationException);
  });

  it("refuses a request signed with other credentials", async () => {
    const stranger = new BedrockRuntimeClient({ region: "us-west-2", endpoint: server.url, credentials: { accessKeyId: "AKIASOMEONEELSE00001", secretAccessKey: "x".repeat(40) }, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    const refused = await stranger.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: "user", content: [{ text: "x" }] }] })).catch((e: unknown) => e);
    expect((refused as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
    stranger.destroy();
  });
});
