/**
 * The official `openai` SDK (chat JSON, a stream with usage, tool calls) and `@anthropic-ai/sdk`
 * (/v1/messages) over HTTP against the gateway started by the CLI on each runtime, in front of a
 * mock Bedrock Runtime (Converse, SigV4, the binary event stream) and a mock Azure OpenAI resource.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockAzureUpstream, mockBedrockUpstream } from "../../testing/index.ts";
import { RUNTIMES, type Runtime, type RunningGateway, startCli, writeConfigFile } from "../helpers/cli.ts";

const KEY = "sk-virt-bedrock-azure-e2e";
const AWS = { accessKeyId: "AKIAMOCKBEDROCKE2E01", secretAccessKey: "mock-secret-key-e2e-0123456789abcdef" };
const AZURE_KEY = "azure-e2e-key-0123456789";
const CLAUDE = "anthropic.claude-haiku-4-5-20251001-v1:0";

function writeConfig(upstreamUrl: string): string {
  return writeConfigFile("switchyard-bedrock-azure-e2e-", `import { defineConfig } from "switchyard";
import { azure, bedrock } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

export default defineConfig({
  providers: {
    aws: bedrock({ region: "us-east-1", accessKeyId: ${JSON.stringify(AWS.accessKeyId)}, secretAccessKey: ${JSON.stringify(AWS.secretAccessKey)}, baseURL: ${JSON.stringify(upstreamUrl)} }),
    az: azure({ baseURL: ${JSON.stringify(upstreamUrl)}, apiKey: ${JSON.stringify(AZURE_KEY)}, apiVersion: "2024-10-21" }),
  },
  plugins: [
    auth({ keys: [{ id: "app", key: ${JSON.stringify(KEY)} }] }),
    route({ models: { bedrock: [{ provider: "aws", model: ${JSON.stringify(CLAUDE)} }], azure: [{ provider: "az", model: "gpt-4o-prod" }] } }),
  ],
});
`);
}

const weather = { type: "function" as const, function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe.each(RUNTIMES)("gateway on %s in front of Bedrock and Azure", (runtime: Runtime) => {
  const bedrockMock = mockBedrockUpstream({ ...AWS, chunkDelayMs: 1 });
  const azureMock = mockAzureUpstream({ apiKey: AZURE_KEY, chunkDelayMs: 1 });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  let openaiClient: OpenAI;
  let claudeClient: Anthropic;

  beforeAll(async () => {
    upstreamServer = await listen((request) => (new URL(request.url).pathname.startsWith("/model/") ? bedrockMock.fetch(request) : azureMock.fetch(request)), { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
    openaiClient = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    claudeClient = new Anthropic({ baseURL: gateway.url, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(1000);
  });

  it.each(["bedrock", "azure"])("openai: chat JSON, a stream with usage and a tool call on %s", async (model) => {
    const completion = await openaiClient.chat.completions.create({ model, messages: [{ role: "user", content: "Hello e2e" }] });
    expect(completion.choices[0].message.content).toBe('This is a mock reply from Switchyard. You said: "Hello e2e"');
    const stream = await openaiClient.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Stream e2e" }] });
    let text = "";
    let chunks = 0;
    let usage = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe('This is a mock reply from Switchyard. You said: "Stream e2e"');
    expect(usage).toBeGreaterThan(0);
    const tools = await openaiClient.chat.completions.create({ model, tools: [weather], messages: [{ role: "user", content: "Weather in Lisbon?" }] });
    const call = tools.choices[0].message.tool_calls![0];
    expect(call.type === "function" && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(["get_weather", { query: "Weather in Lisbon?" }]);
  });

  it("anthropic: /v1/messages JSON and stream in front of Bedrock", async () => {
    const message = await claudeClient.messages.create({ model: "bedrock", max_tokens: 200, messages: [{ role: "user", content: "Claude e2e" }] });
    expect(message.content).toEqual([{ type: "text", text: 'This is a mock reply from Switchyard. You said: "Claude e2e"' }]);
    const text: string[] = [];
    const stream = claudeClient.messages.stream({ model: "bedrock", max_tokens: 200, messages: [{ role: "user", content: "Claude stream e2e" }] });
    stream.on("text", (delta) => text.push(delta));
    const final = await stream.finalMessage();
    expect(text.join("")).toBe('This is a mock reply from Switchyard. You said: "Claude stream e2e"');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(bedrockMock.calls.every((call) => /^AWS4-HMAC-SHA256 Credential=AKIAMOCKBEDROCKE2E01\//.test(call.headers.authorization))).toBe(true);
  });
});
