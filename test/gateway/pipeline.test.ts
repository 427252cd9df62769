import { describe, expect, it } from "vitest";
import { definePlugin, GatewayError, type Plugin, type RequestContext } from "../../core/index.ts";
import { openai } from "../../providers/openai.ts";
import { route } from "../../plugins/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream, readSSE, type MockUpstream } from "../../testing/index.ts";

const chat = (content = "hello", extra: Record<string, unknown> = {}) => ({ model: "up/gpt-4o", messages: [{ role: "user", content }], ...extra });

/** A gateway in front of an in-process OpenAI-format upstream (no sockets). */
async function withUpstream(plugins: Plugin[] = [], upstream: MockUpstream = mockUpstream()) {
  const gateway = await createTestGateway({
    providers: { up: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }), up2: openai({ baseURL: "http://upstream.test/v1" }) },
    plugins,
    upstream: inProcessUpstream(upstream.fetch),
  });
  return { gateway, upstream };
}

function recorder(): { plugin: Plugin; seen: RequestContext[] } {
  const seen: RequestContext[] = [];
  return { seen, plugin: definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }) };
}

describe("request path", () => {
  it("forwards the client's bytes untouched when nothing changes the body", async () => {
    const { gateway, upstream } = await withUpstream([route({ models: { "gpt-4o": [{ provider: "up", model: "gpt-4o" }] } })]);
    const raw = '{"model":"gpt-4o",  "messages":[{"role":"user","content":"hi"}],"x_unknown":{"b":1,"a":2},"temperature":1.0}';
    const res = await gateway.post("/v1/chat/completions", raw);
    expect(res.status).toBe(200);
    expect(upstream.calls[0].rawBody).toBe(raw);
  });

  it("rewrites only the model for a renamed target, keeping unknown fields and key order", async () => {
    const { gateway, upstream } = await withUpstream([route({ models: { fast: [{ provider: "up", model: "gpt-4o-mini" }] } })]);
    await gateway.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi" }], zeta: 1, cache_control: { type: "ephemeral" } });
    expect(upstream.calls[0].rawBody).toBe('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"zeta":1,"cache_control":{"type":"ephemeral"}}');
  });

  it("passes the upstream JSON body through byte for byte and reads its usage", async () => {
    const { plugin, seen } = recorder();
    const { gateway } = await withUpstream([plugin]);
    const res = await gateway.post("/v1/chat/completions", chat("count"));
    const text = await res.text();
    expect(JSON.parse(text).object).toBe("chat.completion");
    expect(res.headers.get("x-switchyard-provider")).toBe("up");
    expect(res.headers.get("x-switchyard-model")).toBe("gpt-4o");
    expect(res.headers.get("x-switchyard-attempts")).toBe("1");
    await gateway.drain(1000);
    const usage = JSON.parse(text).usage;
    expect(seen[0].usage).toMatchObject({ inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, totalTokens: usage.total_tokens });
  });

  it("honours an incoming x-request-id and makes one otherwise", async () => {
    const { gateway } = await withUpstream();
    const mine = await gateway.post("/v1/chat/completions", chat(), { "x-request-id": "trace-123" });
    expect(mine.headers.get("x-request-id")).toBe("trace-123");
    const made = await gateway.post("/v1/chat/completions", chat());
    expect(made.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("reads stream usage it asked for and strips the chunk the client did not ask for", async () => {
    const { plugin, seen } = recorder();
    const { gateway, upstream } = await withUpstream([plugin]);
    const events = (await readSSE(await gateway.post("/v1/chat/completions", chat("stream", { stream: true })))) as { choices: unknown[] }[];
    expect(events.every((e) => e.choices.length > 0)).toBe(true);
    expect((upstream.calls[0].body!.stream_options as { include_usage: boolean }).include_usage).toBe(true);
    await gateway.drain(1000);
    expect(seen[0].usage?.outputTokens).toBeGreaterThan(0);
    expect(seen[0].status).toBe(200);
  });

  it("ends a stream cut by the upstream with an error event, and records it", async () => {
    const { plugin, seen } = recorder();
    const upstream = mockUpstream();
    upstream.fail({ cutAfterEvents: 2 });
    const { gateway } = await withUpstream([plugin], upstream);
    const res = await gateway.post("/v1/chat/completions", chat("cut", { stream: true }));
    expect(res.status).toBe(200);
    const events = (await readSSE(res)) as { error?: { code: string } }[];
    expect(events.at(-1)?.error?.code).toBe("upstream_stream_error");
    await gateway.drain(1000);
    expect(seen[0].error?.code).toBe("upstream_stream_error");
    expect(seen[0].attempts[0].outcome).toBe("error");
    expect(gateway.inFlight).toBe(0);
  });

  it("counts a stream until it ends, and a client cancel aborts the upstream", async () => {
    const { plugin, seen } = recorder();
    const upstream = mockUpstream();
    const gate = upstream.gate(2);
    const { gateway } = await withUpstream([plugin], upstream);
    const res = await gateway.post("/v1/chat/completions", chat("long", { stream: true }));
    const reader = res.body!.getReader();
    await reader.read();
    await gate.reached;
    expect(gateway.inFlight).toBe(1);
    await reader.cancel();
    gate.release();
    await gateway.drain(1000);
    expect(gateway.inFlight).toBe(0);
    expect(seen[0].status).toBe(499);
    await expect.poll(() => upstream.calls[0].aborted).toBe(true);
  });
});

describe("hooks in the pipeline", () => {
  it("onRequest may answer early; later hooks and the upstream do not run", async () => {
    const order: string[] = [];
    const early = definePlugin({ name: "early", onRequest: () => new Response("{\"cached\":true}", { headers: { "content-type": "application/json" } }) });
    const later = definePlugin({ name: "later", onRequest: () => void order.push("later"), route: () => void order.push("route") });
    const { gateway, upstream } = await withUpstream([early, later]);
    const res = await gateway.post("/v1/chat/completions", chat());
    expect(await res.json()).toEqual({ cached: true });
    expect(order).toEqual([]);
    expect(upstream.calls).toHaveLength(0);
  });

  it("a GatewayError thrown by a plugin becomes the answer, named after the plugin", async () => {
    const deny = definePlugin({
      name: "deny",
      onRequest: () => {
        throw new GatewayError({ status: 429, message: "slow down", code: "rate_limit_exceeded", fault: "policy", headers: { "retry-after": "3" } });
      },
    });
    const { gateway } = await withUpstream([deny]);
    const res = await gateway.post("/v1/chat/completions", chat());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect((await res.json()).error).toEqual({ message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded", param: null });
  });

  it("a plugin bug is a 500 naming the plugin and hook, reported once, and the gateway keeps serving", async () => {
    let fail = true;
    const buggy = definePlugin({
      name: "buggy",
      route: () => {
        if (fail) throw new TypeError("cannot read x of undefined");
      },
    });
    const { gateway } = await withUpstream([buggy]);
    const res = await gateway.post("/v1/chat/completions", chat());
    expect(res.status).toBe(500);
    expect((await res.json()).error.message).toBe('Plugin "buggy" failed in route: cannot read x of undefined');
    expect(gateway.reported.map((e) => [e.plugin, e.hook])).toEqual([["buggy", "route"]]);
    fail = false;
    expect((await gateway.post("/v1/chat/completions", chat())).status).toBe(200);
  });

  it("onResponse runs in reverse registration order and may replace the response", async () => {
    const order: string[] = [];
    const a = definePlugin({ name: "a", onResponse: () => void order.push("a") });
    const b = definePlugin({
      name: "b",
      onResponse: async (_ctx, res) => {
        order.push("b");
        const body = await res.json();
        return Response.json({ ...body, tagged: true });
      },
    });
    const { gateway } = await withUpstream([a, b]);
    const res = await gateway.post("/v1/chat/completions", chat());
    expect(order).toEqual(["b", "a"]);
    expect((await res.json()).tagged).toBe(true);
    expect(res.headers.get("x-switchyard-provider")).toBe("up");
  });

  it("onComplete runs after the response, and its errors never change it", async () => {
    let completedBeforeReturn = false;
    let completed = false;
    const failing = definePlugin({
      name: "failing-complete",
      onComplete: () => {
        throw new Error("sink down");
      },
    });
    const after = definePlugin({ name: "after", onComplete: () => void (completed = true) });
    const { gateway } = await withUpstream([failing, after]);
    const res = await gateway.post("/v1/chat/completions", chat());
    completedBeforeReturn = completed;
    expect(res.status).toBe(200);
    await gateway.drain(1000);
    expect(completedBeforeReturn).toBe(false);
    expect(completed).toBe(true);
    expect(gateway.reported[0].message).toContain('Plugin "failing-complete" failed in onComplete: sink down');
    expect(gateway.reportedErrors).toBe(1);
  });

  it("onAttempt headers reach the upstream; onAttemptError decides retry and next", async () => {
    const upstream = mockUpstream();
    upstream.fail({ status: 503 }, { status: 500 });
    const decisions: string[] = [];
    const plugin = definePlugin({
      name: "policy",
      onAttempt: (_ctx, attempt) => {
        attempt.headers["x-attempt"] = String(attempt.index);
      },
      onAttemptError: (_ctx, attempt, error) => {
        decisions.push(`${attempt.target.provider}:${error.status}`);
        return attempt.index === 0 ? { action: "retry" } : { action: "next" };
      },
    });
    const { gateway } = await withUpstream([route({ models: { m: [{ provider: "up", model: "a" }, { provider: "up2", model: "b" }] } }), plugin], upstream);
    const res = await gateway.post("/v1/chat/completions", { model: "m", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    expect(decisions).toEqual(["up:503", "up:500"]);
    expect(upstream.calls.map((c) => [c.headers["x-attempt"], c.body?.model])).toEqual([["0", "a"], ["1", "a"], ["2", "b"]]);
    expect(res.headers.get("x-switchyard-attempts")).toBe("3");
    expect(res.headers.get("x-switchyard-provider")).toBe("up2");
  });

  it("without a fallback decision the first upstream error is final and keeps its OpenAI body", async () => {
    const upstream = mockUpstream();
    upstream.fail({ status: 400, body: JSON.stringify({ error: { message: "bad temperature", type: "invalid_request_error", param: "temperature", code: null } }) });
    const { gateway } = await withUpstream([], upstream);
    const res = await gateway.post("/v1/chat/completions", chat());
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("temperature");
  });

  it("an unreachable upstream is a 502 of provider fault, never a crash", async () => {
    const gateway = await createTestGateway({ providers: { dead: openai({ baseURL: "http://127.0.0.1:1/v1" }) } });
    const res = await gateway.post("/v1/chat/completions", { model: "dead/x", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(502);
    expect((await res.json()).error.code).toBe("upstream_unreachable");
  });

  it("a first-byte timeout aborts the upstream call and answers 504", async () => {
    const upstream = mockUpstream();
    upstream.fail({ hang: true });
    const gateway = await createTestGateway({
      providers: { slow: openai({ baseURL: "http://upstream.test/v1", timeouts: { firstByteMs: 50 } }) },
      upstream: inProcessUpstream(upstream.fetch),
    });
    const res = await gateway.post("/v1/chat/completions", { model: "slow/x", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(504);
    expect((await res.json()).error.code).toBe("upstream_timeout");
    await expect.poll(() => upstream.calls[0].aborted).toBe(true);
  });

  it("filters and typed vars: a hook with a model filter runs only for that model", async () => {
    const ran: string[] = [];
    const scoped = definePlugin({ name: "scoped", onRequest: { handler: (ctx) => void ran.push(ctx.model), filter: { models: [/^up\//], surfaces: ["chat"] } } });
    const { gateway } = await withUpstream([scoped]);
    await gateway.post("/v1/chat/completions", chat());
    await gateway.post("/v1/embeddings", { model: "up/text-embedding-3-small", input: "x" });
    await gateway.post("/v1/chat/completions", { model: "mock/mock", messages: [{ role: "user", content: "x" }] });
    expect(ran).toEqual(["up/gpt-4o"]);
  });
});
