/**
 * The mock upstream's Responses API side, judged by the official `openai` SDK with no gateway in
 * between: if `client.responses.create` and `client.responses.stream` read what the mock sends,
 * the mock speaks the real format.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";

const upstream = mockUpstream({ apiKey: "sk-test" });
let server: Listener;
let client: OpenAI;

beforeAll(async () => {
  server = await listen(upstream.fetch, { port: 0 });
  client = new OpenAI({ apiKey: "sk-test", baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(() => server.close(500));
beforeEach(() => upstream.reset());

const tool: OpenAI.Responses.FunctionTool = { type: "function", name: "lookup", parameters: { type: "object", properties: { query: { type: "string" } } }, strict: false };

describe("mock Responses upstream, read by the openai SDK", () => {
  it("answers responses.create with a response the SDK types describe", async () => {
    const response = await client.responses.create({ model: "gpt-mock", input: [{ role: "user", content: [{ type: "input_text", text: "Hello there" }] }] });
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe('This is a mock reply from Switchyard. You said: "Hello there"');
    expect(response.usage?.total_tokens).toBe((response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0));
    expect(response._request_id).toBe("req_mock");
  });

  it("calls the tool, then answers its output; max_output_tokens makes an incomplete response", async () => {
    const called = await client.responses.create({ model: "gpt-mock", input: "Find it", tools: [tool] });
    const call = called.output[0];
    expect(call).toMatchObject({ type: "function_call", name: "lookup", status: "completed" });
    if (call.type !== "function_call") throw new Error("no call");
    const answered = await client.responses.create({ model: "gpt-mock", tools: [tool], input: [{ role: "user", content: "Find it" }, call, { type: "function_call_output", call_id: call.call_id, output: "found" }] });
    expect(answered.output_text).toContain("Find it");
    const cut = await client.responses.create({ model: "gpt-mock", input: "a long question to answer", max_output_tokens: 2 });
    expect(cut).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
  });

  it("streams events responses.stream accumulates, text and arguments", async () => {
    const stream = client.responses.stream({ model: "gpt-mock", input: "Stream it" });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('This is a mock reply from Switchyard. You said: "Stream it"');
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    const calls = client.responses.stream({ model: "gpt-mock", input: "Find it", tools: [tool] });
    const args: string[] = [];
    calls.on("response.function_call_arguments.delta", (event) => args.push(event.delta));
    const done = await calls.finalResponse();
    expect(done.output[0]).toMatchObject({ type: "function_call", arguments: args.join("") });
  });
});
