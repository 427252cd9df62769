/**
 * The official Anthropic SDK over HTTP against the gateway started by the CLI on each runtime, in
 * front of an Anthropic-format upstream (pass-through) and an OpenAI-format one (translation);
 * and the official OpenAI SDK in front of the Anthropic-format upstream.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { RUNTIMES, type Runtime, type RunningGateway, startCli, writeConfigFile } from "../helpers/cli.ts";

const KEY = "sk-virt-anthropic-e2e-01";
const UPSTREAM_KEY = "sk-ant-upstream-e2e-0001";

function writeConfig(upstreamUrl: string): string {
  return writeConfigFile("switchyard-anthropic-e2e-", `import { defineConfig } from "switchyard";
import { anthropic, openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

export default defineConfig({
  providers: {
    claude: anthropic({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)}, apiKey: ${JSON.stringify(UPSTREAM_KEY)} }),
    gpt: openai({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)}, apiKey: ${JSON.stringify(UPSTREAM_KEY)} }),
  },
  plugins: [
    auth({ keys: [{ id: "app", key: ${JSON.stringify(KEY)} }] }),
    route({ models: {
      "claude-native": [{ provider: "claude", model: "claude-sonnet-4-5" }],
      "claude-on-gpt": [{ provider: "gpt", model: "gpt-4o-mini" }],
    } }),
  ],
});
`);
}

const tool = { name: "lookup", description: "Look something up", input_schema: { type: "object" as const, properties: { q: { type: "string" } } } };

describe.each(RUNTIMES)("gateway on %s driven by the official Anthropic SDK", (runtime: Runtime) => {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY, chunkDelayMs: 1 });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  let client: Anthropic;

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
    client = new Anthropic({ baseURL: gateway.url, apiKey: KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(1000);
  });

  it.each(["claude-native", "claude-on-gpt"])("messages.create and messages.stream on %s", async (model) => {
    const message = await client.messages.create({ model, max_tokens: 200, messages: [{ role: "user", content: "Hello e2e" }] });
    expect(message.content).toEqual([{ type: "text", text: 'This is a mock reply from Switchyard. You said: "Hello e2e"' }]);
    const text: string[] = [];
    const stream = client.messages.stream({ model, max_tokens: 200, messages: [{ role: "user", content: "Stream e2e" }] });
    stream.on("text", (delta) => text.push(delta));
    const final = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(1);
    expect(text.join("")).toBe('This is a mock reply from Switchyard. You said: "Stream e2e"');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it.each(["claude-native", "claude-on-gpt"])("a tool round trip on %s", async (model) => {
    const first = await client.messages.create({ model, max_tokens: 200, tools: [tool], messages: [{ role: "user", content: "Find it" }] });
    const call = first.content.find((block) => block.type === "tool_use");
    expect(call?.type).toBe("tool_use");
    const id = call?.type === "tool_use" ? call.id : "";
    const second = await client.messages.create({
      model,
      max_tokens: 200,
      tools: [tool],
      messages: [{ role: "user", content: "Find it" }, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: "found" }] }],
    });
    expect(second.stop_reason).toBe("end_turn");
  });

  it("counts tokens natively and by estimate", async () => {
    const native = await client.messages.countTokens({ model: "claude-native", messages: [{ role: "user", content: "count" }] });
    expect(native.input_tokens).toBeGreaterThan(0);
    const estimated = await client.messages.countTokens({ model: "claude-on-gpt", messages: [{ role: "user", content: "count" }] }).withResponse();
    expect(estimated.response.headers.get("x-switchyard-estimated")).toBe("true");
  });

  it("refuses a wrong key in Anthropic's shape", async () => {
    const bad = new Anthropic({ baseURL: gateway.url, apiKey: "sk-wrong-key-000000", maxRetries: 0 });
    const error = await bad.messages.create({ model: "claude-native", max_tokens: 5, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.error.error.type).toBe("authentication_error");
  });

  it("serves the OpenAI SDK from the Anthropic upstream: JSON, a stream with usage, tool calls", async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: "claude-native", messages: [{ role: "user", content: "Hi from OpenAI" }] });
    expect(completion.choices[0].message.content).toBe('This is a mock reply from Switchyard. You said: "Hi from OpenAI"');
    const stream = await openai.chat.completions.create({ model: "claude-native", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream" }] });
    let content = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toContain("mock reply");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const tools = await openai.chat.completions.create({
      model: "claude-native",
      messages: [{ role: "user", content: "use the tool" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
    });
    expect(tools.choices[0].finish_reason).toBe("tool_calls");
    expect(tools.choices[0].message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "lookup" } });
  });
});
