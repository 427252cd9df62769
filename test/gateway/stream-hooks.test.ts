/**
 * `onChunk` on every stream path: same-dialect streams (decoded and re-encoded only because a
 * hook is registered) and translated ones, for OpenAI chat and Anthropic Messages clients, read
 * by the official SDKs.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../core/canonical.ts";
import { definePlugin, GatewayError, type OnChunkHook, type Plugin, type RequestContext } from "../../core/index.ts";
import { route } from "../../plugins/index.ts";
import { anthropic, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const REPLY = 'This is a mock reply from Switchyard. You said: "Hello"';

/** Each client dialect against each provider dialect: two pass-through paths, two translated ones. */
const PATHS = [
  { client: "chat", model: "gpt", translated: false },
  { client: "chat", model: "claude", translated: true },
  { client: "messages", model: "claude", translated: false },
  { client: "messages", model: "gpt", translated: true },
] as const;

async function setup(hook: OnChunkHook | null, extra: Plugin[] = []) {
  const upstream = mockUpstream();
  const seen: RequestContext[] = [];
  const plugins: Plugin[] = [
    route({ models: { gpt: [{ provider: "gpt", model: "gpt-4o-mini" }], claude: [{ provider: "claude", model: "claude-sonnet-4-5" }] } }),
    ...extra,
    definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
  ];
  if (hook !== null) plugins.push(definePlugin({ name: "chunks", onChunk: hook }));
  const gateway = await createTestGateway({
    providers: {
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: "sk-ant-up" }),
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }),
    },
    plugins,
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const openaiClient = new OpenAI({ apiKey: "unused", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  const claudeClient = new Anthropic({ apiKey: "unused", baseURL: "http://gateway.test", fetch, maxRetries: 0 });
  /** The streamed text as the official SDK of `client` assembles it. */
  const streamText = async (client: "chat" | "messages", model: string): Promise<string> => {
    let text = "";
    if (client === "chat") {
      const stream = await openaiClient.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "Hello" }] });
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    } else {
      const stream = claudeClient.messages.stream({ model, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] });
      for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    }
    return text;
  };
  return { gateway, upstream, seen, streamText };
}

describe.each(PATHS)("onChunk: $client client, $model provider (translated: $translated)", ({ client, model }) => {
  it("sees neutral events with the client's dialect, and may rewrite them", async () => {
    const dialects = new Set<string>();
    const types = new Set<string>();
    const { streamText, seen } = await setup((ctx, event) => {
      dialects.add(ctx.dialect.id);
      types.add(event.type);
      return event.type === "text" ? { ...event, text: event.text.toUpperCase() } : undefined;
    });
    expect(await streamText(client, model)).toBe(REPLY.toUpperCase());
    expect([...dialects]).toEqual([client === "chat" ? "openai" : "anthropic"]);
    types.delete("ping");
    expect(types).toEqual(new Set(["start", "block_start", "text", "block_stop", "finish", "usage", "done"]));
    // Usage is read from what the provider reported, whatever the hook shows the client.
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0].usage?.outputTokens).toBeGreaterThan(0);
    expect(seen[0].error).toBeNull();
  });

  it("may drop events ([]) and insert new ones (an array)", async () => {
    let pieces = 0;
    const dropped = await setup((_ctx, event) => (event.type === "text" ? [] : undefined));
    expect(await dropped.streamText(client, model)).toBe("");
    const inserted = await setup((_ctx, event): StreamEvent[] | undefined => {
      if (event.type !== "text") return undefined;
      pieces++;
      return [event, { type: "text", index: event.index, text: "|" }];
    });
    const text = await inserted.streamText(client, model);
    expect(text.replaceAll("|", "")).toBe(REPLY);
    expect(text.split("|").length - 1).toBe(pieces);
  });

  it("ends the stream with an error event in the client's dialect, and cancels the upstream", async () => {
    let texts = 0;
    const { streamText, seen, upstream } = await setup((_ctx, event) => {
      if (event.type === "text" && ++texts === 2) {
        throw new GatewayError({ status: 400, message: "The answer mentions a mock.", code: "no_mocks", fault: "policy" });
      }
    });
    const error = await streamText(client, model).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(client === "chat" ? OpenAI.APIError : Anthropic.APIError);
    expect(String((error as Error).message)).toContain("The answer mentions a mock.");
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0].error).toMatchObject({ code: "no_mocks", fault: "policy", plugin: "chunks", hook: "onChunk" });
    // The attempt itself succeeded: the provider is not blamed for a plugin's decision.
    expect(seen[0].attempts[0].outcome).toBe("ok");
    expect(upstream.calls[0].aborted || upstream.calls[0].finished).toBe(true);
  });

  it("refuses a hook that returns a promise, naming the plugin", async () => {
    const { streamText, seen } = await setup(((_ctx: RequestContext, event: StreamEvent) => Promise.resolve(event)) as unknown as OnChunkHook);
    await expect(streamText(client, model)).rejects.toThrow(/Plugin \\?"chunks\\?" failed in onChunk: onChunk must return synchronously/);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0].error?.code).toBe("internal_error");
  });
});

describe("onChunk filters", () => {
  it("runs only on the surfaces its filter names", async () => {
    let calls = 0;
    const upstream = mockUpstream();
    const gateway = await createTestGateway({
      providers: { gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }) },
      plugins: [definePlugin({ name: "messages-only", onChunk: { handler: () => void calls++, filter: { surfaces: ["messages"] } } })],
      upstream: inProcessUpstream(upstream.fetch),
    });
    const res = await gateway.post("/v1/chat/completions", { model: "gpt/gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Hello" }] });
    expect(await res.text()).toContain("[DONE]");
    expect(calls).toBe(0);
    const messages = await gateway.post("/v1/messages", { model: "gpt/gpt-4o-mini", stream: true, max_tokens: 10, messages: [{ role: "user", content: "Hello" }] });
    expect(await messages.text()).toContain("message_stop");
    expect(calls).toBeGreaterThan(0);
  });
});
