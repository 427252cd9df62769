/**
 * The plugin as users meet it: the official OpenAI and Anthropic SDKs against an in-process
 * gateway (switchyard/testing), whole answers and streams, in front of a mock upstream.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { definePlugin, pluginApis, type Plugin, type RequestContext } from "switchyard";
import { route } from "switchyard/plugins";
import { anthropic, openai } from "switchyard/providers";
import { createTestGateway, inProcessUpstream, mockUpstream } from "switchyard/testing";
import { afterEach, describe, expect, it } from "vitest";
import { FACET, requestTagger, type RequestTaggerOptions } from "../src/index.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function setup(options: RequestTaggerOptions = {}) {
  const upstream = mockUpstream();
  const seen: RequestContext[] = [];
  const tagger = requestTagger(options);
  const gateway = await createTestGateway({
    providers: {
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-test-upstream" }),
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: "sk-ant-test-upstream" }),
    },
    plugins: [
      route({ models: { fast: [{ provider: "gpt", model: "gpt-4o-mini" }], smart: [{ provider: "claude", model: "claude-sonnet-4-5" }] } }),
      tagger,
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  closers.push(() => gateway.close());
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const headers = (tag?: string) => (tag === undefined ? {} : { "x-request-tag": tag });
  const oa = (tag?: string) => new OpenAI({ apiKey: "unused", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0, defaultHeaders: headers(tag) });
  const claude = (tag?: string) => new Anthropic({ apiKey: "unused", baseURL: "http://gateway.test", fetch, maxRetries: 0, defaultHeaders: headers(tag) });
  return { gateway, upstream, seen, tagger, oa, claude };
}

const hello = [{ role: "user" as const, content: "Hello" }];

describe("request-tagger", () => {
  it("tags an OpenAI chat request, echoes the tag, and sends it upstream", async () => {
    const { oa, upstream, seen, tagger } = await setup();
    const { data, response } = await oa("search-app").chat.completions.create({ model: "fast", messages: hello }).withResponse();
    expect(data.choices[0].message.content).toContain("Hello");
    expect(response.headers.get("x-request-tag")).toBe("search-app");
    expect(upstream.calls[0].headers["x-request-tag"]).toBe("search-app");
    await expect.poll(() => seen.length).toBe(1);
    const counts = tagger.api[FACET].counts();
    expect(counts["search-app"]).toMatchObject({ requests: 1, errors: 0, streamedChars: 0 });
    expect(counts["search-app"].outputTokens).toBeGreaterThan(0);
  });

  it("counts the text of an Anthropic stream, translated or not", async () => {
    const { claude, seen, tagger } = await setup();
    for (const model of ["smart", "fast"]) {
      let text = "";
      for await (const event of claude("batch").messages.stream({ model, max_tokens: 100, messages: hello })) {
        if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
      }
      expect(text).toContain("Hello");
    }
    await expect.poll(() => seen.length).toBe(2);
    const streamed = seen.map((ctx) => ctx.vars["requestTagger.streamedChars"]);
    expect(streamed.every((n) => typeof n === "number" && n > 0)).toBe(true);
    expect(tagger.api[FACET].counts().batch).toMatchObject({ requests: 2, errors: 0, streamedChars: streamed[0]! + streamed[1]! });
  });

  it("gives untagged requests the default tag", async () => {
    const { oa, seen, tagger } = await setup({ defaultTag: "anonymous" });
    await oa().chat.completions.create({ model: "fast", messages: hello });
    await expect.poll(() => seen.length).toBe(1);
    expect(Object.keys(tagger.api[FACET].counts())).toEqual(["anonymous"]);
  });

  it("refuses a malformed or unknown tag in the client's dialect, before any upstream call", async () => {
    const { oa, claude, upstream } = await setup({ allowed: ["search-app"] });
    const bad = await oa("no spaces allowed").chat.completions.create({ model: "fast", messages: hello }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("tagger_invalid_tag");
    const unknown = await claude("other-app").messages.create({ model: "smart", max_tokens: 10, messages: hello }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((unknown as Error).message)).toContain("unknown tag");
    expect(upstream.calls).toHaveLength(0);
  });

  it("ends a stream that passes maxStreamedChars with an error event, naming the plugin", async () => {
    const { oa, seen } = await setup({ maxStreamedChars: 20 });
    let text = "";
    const error = await (async () => {
      for await (const chunk of await oa("chatty").chat.completions.create({ model: "smart", messages: hello, stream: true })) text += chunk.choices[0]?.delta?.content ?? "";
    })().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain("passed 20 characters");
    expect(text.length).toBeLessThanOrEqual(20);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0].error).toMatchObject({ code: "tagger_stream_limit", plugin: "request-tagger", hook: "onChunk" });
  });

  it("counts at most maxTags tags, the rest under _other", async () => {
    const { oa, seen, tagger } = await setup({ maxTags: 2 });
    for (const tag of ["a", "b", "c", "d"]) await oa(tag).chat.completions.create({ model: "fast", messages: hello });
    await expect.poll(() => seen.length).toBe(4);
    expect(tagger.api[FACET].counts()).toMatchObject({ a: { requests: 1 }, b: { requests: 1 }, _other: { requests: 2 } });
  });

  it("exposes its counts to other plugins through its api facet", async () => {
    const plugins: Plugin[] = [requestTagger()];
    const found = pluginApis(plugins, FACET);
    expect(found.map((f) => f.plugin)).toEqual(["request-tagger"]);
    expect(found[0].api.counts()).toEqual({});
  });

  it("refuses options it cannot honour when the config is built", () => {
    expect(() => requestTagger({ maxStreamedChars: 0 })).toThrow(/maxStreamedChars must be a positive integer/);
    expect(() => requestTagger({ defaultTag: "has space" })).toThrow(/defaultTag/);
  });
});
