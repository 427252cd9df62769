/**
 * `guard` as clients meet it, on every surface: OpenAI chat completions, Anthropic messages and
 * the Responses API, whole and streamed, read by the official `openai` and `@anthropic-ai/sdk`
 * clients. The mock upstream echoes what it was sent, so an input check shows in what the upstream
 * received and an output check in what the client got back (the mock streams 12 characters an
 * event, so every value below arrives split across chunks). Refusals are counted in `/metrics`.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { definePlugin, type RequestContext } from "../../core/index.ts";
import { guard, type GuardOptions, metrics, route } from "../../plugins/index.ts";
import { anthropic, openai } from "../../providers/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

const EMAIL = "jane.doe@example.com";
const CARD = "4111 1111 1111 1111";
const TERM = "Project Zeus";

type Surface = "chat" | "messages" | "responses";

async function setup(options: GuardOptions, reply?: string) {
  const upstream = mockUpstream({ reply });
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: {
      gpt: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }),
      native: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up", responses: "native" }),
      claude: anthropic({ baseURL: "http://upstream.test/v1", apiKey: "sk-ant-up" }),
    },
    plugins: [
      route({ models: { gpt: [{ provider: "gpt", model: "gpt-4o-mini" }], native: [{ provider: "native", model: "gpt-4.1" }], claude: [{ provider: "claude", model: "claude-sonnet-4-5" }] } }),
      guard(options),
      metrics(),
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init));
  const oa = new OpenAI({ apiKey: "unused", baseURL: "http://gateway.test/v1", fetch, maxRetries: 0 });
  const claude = new Anthropic({ apiKey: "unused", baseURL: "http://gateway.test", fetch, maxRetries: 0 });

  /** The answer's text as the surface's official SDK returns it, whole or streamed. */
  async function ask(surface: Surface, model: string, text: string, stream: boolean): Promise<string> {
    if (surface === "chat") {
      const messages = [{ role: "user" as const, content: text }];
      if (!stream) return (await oa.chat.completions.create({ model, messages })).choices[0].message.content ?? "";
      let out = "";
      for await (const chunk of await oa.chat.completions.create({ model, messages, stream: true })) out += chunk.choices[0]?.delta?.content ?? "";
      return out;
    }
    if (surface === "messages") {
      const params = { model, max_tokens: 200, messages: [{ role: "user" as const, content: text }] };
      if (!stream) return (await claude.messages.create(params)).content.map((b) => (b.type === "text" ? b.text : "")).join("");
      let out = "";
      for await (const event of claude.messages.stream(params)) if (event.type === "content_block_delta" && event.delta.type === "text_delta") out += event.delta.text;
      return out;
    }
    if (!stream) return (await oa.responses.create({ model, input: text })).output_text;
    let out = "";
    for await (const event of await oa.responses.create({ model, input: text, stream: true })) {
      if (event.type === "response.output_text.delta") out += event.delta;
      if (event.type === "error") throw Object.assign(new Error(event.message), { code: event.code });
    }
    return out;
  }

  /** What the upstream was sent as the user's text, in whichever dialect it speaks. */
  function upstreamSaw(): string {
    return JSON.stringify(upstream.calls.at(-1)?.body ?? null);
  }

  async function counted(name: string, labels: string): Promise<number> {
    const text = await (await gateway.request("/metrics")).text();
    const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? 0 : Number(line.split(" ").at(-1));
  }

  return { gateway, upstream, seen, ask, upstreamSaw, counted };
}

/** Each surface in front of a provider of its own dialect, and one translated path per client SDK. */
const PATHS: { surface: Surface; model: string }[] = [
  { surface: "chat", model: "gpt" },
  { surface: "chat", model: "claude" },
  { surface: "messages", model: "claude" },
  { surface: "messages", model: "gpt" },
  { surface: "responses", model: "native" },
  { surface: "responses", model: "gpt" },
];

describe.each(PATHS)("guard on $surface → $model", ({ surface, model }) => {
  describe.each([false, true])("stream: %s", (stream) => {
    it("redacts personal data in the request before the upstream sees it", async () => {
      const { ask, upstreamSaw, seen } = await setup({ input: { pii: "redact" } });
      const answer = await ask(surface, model, `Mail me at ${EMAIL} please`, stream);
      expect(upstreamSaw()).not.toContain(EMAIL);
      expect(upstreamSaw()).toContain("[REDACTED_EMAIL]");
      expect(answer).toContain("[REDACTED_EMAIL]");
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0].error).toBeNull();
    });

    it("blocks a request with a card number, in the client's dialect, before any upstream call", async () => {
      const { ask, upstream, counted, seen } = await setup({ input: { pii: { card: "block", email: "redact" } } });
      const error = await ask(surface, model, `My card is ${CARD}`, stream).then(() => null, (e: unknown) => e);
      if (surface === "messages") {
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      } else {
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("pii_detected");
      }
      expect(String((error as Error).message)).toContain("payment card number");
      expect(String((error as Error).message)).not.toContain("4111");
      expect(upstream.calls).toHaveLength(0);
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0].error).toMatchObject({ code: "pii_detected", plugin: "guard", hook: "onRequest" });
      expect(await counted("switchyard_guard_blocks_total", 'guard="guard",direction="input",reason="card"')).toBe(1);
    });

    it("redacts personal data in the answer, split across stream events", async () => {
      const { ask, upstreamSaw, counted } = await setup({ output: { pii: "redact" } });
      const answer = await ask(surface, model, `Mail me at ${EMAIL}, card ${CARD}`, stream);
      // The input check is off: the upstream got the text, the client gets it redacted.
      expect(upstreamSaw()).toContain(EMAIL);
      expect(answer).not.toContain(EMAIL);
      expect(answer).not.toContain("4111");
      expect(answer).toContain("You said: \"Mail me at [REDACTED_EMAIL], card [REDACTED_CARD]\"");
      expect(await counted("switchyard_guard_redactions_total", 'guard="guard",direction="output",reason="email"')).toBe(1);
    });

    it("withholds an answer with a blocked term, sending none of it", async () => {
      const reply = `Sure. Our codename is ${TERM}, and it ships in spring. More text follows here.`;
      const { ask, seen, counted } = await setup({ output: { blockedTerms: ["project zeus"], window: 24 } }, reply);
      let received = "";
      const error = await ask(surface, model, "What is the codename?", stream).then((text) => {
        received = text;
        return null;
      }, (e: unknown) => e);
      expect(error, `answered: ${received}`).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toContain("The answer was withheld: it contained a term this gateway blocks.");
      if (!stream) expect((error as { status?: number }).status).toBe(422);
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0].error).toMatchObject({ code: "output_blocked", fault: "policy", plugin: "guard" });
      expect(await counted("switchyard_guard_blocks_total", 'guard="guard",direction="output",reason="term"')).toBe(1);
    });
  });
});

describe("guard on streams that are cut short", () => {
  it("sends nothing of a blocked term even when the stream's text before it is short", async () => {
    // The mock streams the reply in pieces; what the SDK assembled before the error must not hold any of the term.
    const reply = `Code: ${TERM}.`;
    const { gateway } = await setup({ output: { blockedTerms: [TERM] } }, reply);
    const res = await gateway.post("/v1/chat/completions", { model: "gpt", stream: true, messages: [{ role: "user", content: "hi" }] });
    const body = await res.text();
    expect(body).toContain("output_blocked");
    expect(body).not.toMatch(/Proj|Zeus/);
  });
});

describe("guard's input size", () => {
  it.each(["chat", "messages", "responses"] as const)("refuses an input over maxTokens on %s", async (surface) => {
    const { ask, upstream, counted } = await setup({ input: { maxTokens: 50 } });
    const model = surface === "messages" ? "claude" : surface === "responses" ? "native" : "gpt";
    const error = await ask(surface, model, "lorem ipsum dolor sit amet ".repeat(40), false).then(() => null, (e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect(String((error as Error).message)).toMatch(/at most 50 input tokens/);
    if (surface !== "messages") expect((error as { code?: string }).code).toBe("input_too_long");
    expect(upstream.calls).toHaveLength(0);
    expect(await counted("switchyard_guard_blocks_total", 'guard="guard",direction="input",reason="tokens"')).toBe(1);
    // A short one passes.
    expect(await ask(surface, model, "Hello", false)).toContain("Hello");
  });

  it("refuses a blocked term in the request with its own code", async () => {
    const { ask, upstream } = await setup({ input: { blockedTerms: [TERM] } });
    const error = await ask("chat", "gpt", `Tell me about project zeus`, false).then(() => null, (e: unknown) => e);
    expect((error as { code?: string }).code).toBe("blocked_term");
    expect(upstream.calls).toHaveLength(0);
  });
});
