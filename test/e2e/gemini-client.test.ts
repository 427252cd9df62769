/**
 * Gemini over HTTP against the gateway started by the CLI on each runtime: `@google/genai` in
 * front of an OpenAI-format upstream (translated) and a Gemini one (passed through), and the
 * official OpenAI SDK in front of the Gemini one.
 */
import { GoogleGenAI, Type } from "@google/genai";
import OpenAI from "openai";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { RUNTIMES, type Runtime, type RunningGateway, startCli, writeConfigFile } from "../helpers/cli.ts";

const KEY = "sk-virt-gemini-e2e-0001";
const UPSTREAM_KEY = "gemini-upstream-e2e-0001";
const REPLY = (said: string) => `This is a mock reply from Switchyard. You said: "${said}"`;

function writeConfig(upstreamUrl: string): string {
  return writeConfigFile("switchyard-gemini-e2e-", `import { defineConfig } from "switchyard";
import { gemini, openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

export default defineConfig({
  providers: {
    google: gemini({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1beta`)}, apiKey: ${JSON.stringify(UPSTREAM_KEY)} }),
    gpt: openai({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)}, apiKey: ${JSON.stringify(UPSTREAM_KEY)} }),
  },
  plugins: [
    auth({ keys: [{ id: "app", key: ${JSON.stringify(KEY)} }] }),
    route({ models: {
      "gemini-native": [{ provider: "google", model: "gemini-2.5-flash" }],
      "gemini-on-gpt": [{ provider: "gpt", model: "gpt-4o-mini" }],
    } }),
  ],
});
`);
}

const tools = [{ functionDeclarations: [{ name: "lookup", description: "Look something up", parameters: { type: Type.OBJECT, properties: { q: { type: Type.STRING } } } }] }];

describe.each(RUNTIMES)("gateway on %s driven by @google/genai and the OpenAI SDK", (runtime: Runtime) => {
  const upstream = mockUpstream({ apiKey: UPSTREAM_KEY, chunkDelayMs: 1 });
  let upstreamServer: Listener;
  let gateway: RunningGateway;
  let client: GoogleGenAI;

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
    client = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: gateway.url } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(1000);
  });

  it.each(["gemini-native", "gemini-on-gpt"])("generateContent, generateContentStream and a function call on %s", async (model) => {
    const response = await client.models.generateContent({ model, contents: "Hello e2e" });
    expect(response.text).toBe(REPLY("Hello e2e"));
    const chunks: string[] = [];
    for await (const chunk of await client.models.generateContentStream({ model, contents: "Stream e2e" })) chunks.push(chunk.text ?? "");
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join("")).toBe(REPLY("Stream e2e"));
    const called = await client.models.generateContent({ model, contents: "Find it", config: { tools } });
    expect(called.functionCalls?.[0]).toMatchObject({ name: "lookup", args: { query: "Find it" } });
  });

  it("the OpenAI SDK in front of the Gemini upstream: chat JSON, a stream with usage, a tool call", async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const json = await openai.chat.completions.create({ model: "gemini-native", messages: [{ role: "user", content: "Hi from OpenAI" }] });
    expect(json.choices[0].message.content).toBe(REPLY("Hi from OpenAI"));
    const stream = await openai.chat.completions.create({ model: "gemini-native", messages: [{ role: "user", content: "Stream from OpenAI" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(REPLY("Stream from OpenAI"));
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const called = await openai.chat.completions.create({
      model: "gemini-native",
      messages: [{ role: "user", content: "Use the tool" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
    });
    expect(called.choices[0].finish_reason).toBe("tool_calls");
    expect(upstream.calls.some((call) => call.path === "/v1beta/models/gemini-2.5-flash:streamGenerateContent")).toBe(true);
  });
});
