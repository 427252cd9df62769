/**
 * Each body has one owner: the request text and its frozen parse live on the context, the answer
 * in one response record. Regression tests for the bugs two owners caused.
 */
import { describe, expect, it } from "vitest";
import { buildLogRecord, definePlugin, type Plugin, type RequestContext } from "../../core/index.ts";
import { cache, route } from "../../plugins/index.ts";
import { openai } from "../../providers/openai.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";

async function gatewayWith(plugins: Plugin[]) {
  const upstream = mockUpstream();
  const seen: RequestContext[] = [];
  const gateway = await createTestGateway({
    providers: { up: openai({ baseURL: "http://upstream.test/v1", apiKey: "sk-up" }) },
    plugins: [
      route({ models: { same: [{ provider: "up", model: "same" }], renamed: [{ provider: "up", model: "gpt-4o-mini" }] } }),
      ...plugins,
      definePlugin({ name: "recorder", onComplete: (ctx) => void seen.push(ctx) }),
    ],
    upstream: inProcessUpstream(upstream.fetch),
  });
  return { gateway, upstream, seen };
}

const chat = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }], temperature: 0.5 });

describe("one owner per body", () => {
  it("logs the bytes of a JSON answer on a cache miss and on a hit (the cache no longer keeps its own copy)", async () => {
    const { gateway, seen } = await gatewayWith([cache({ ttl: 60 })]);
    const miss = await gateway.post("/v1/chat/completions", chat("renamed"));
    const missText = await miss.text();
    expect(miss.headers.get("x-switchyard-cache")).toBe("miss");
    await gateway.drain(1000);
    const hit = await gateway.post("/v1/chat/completions", chat("renamed"));
    const hitText = await hit.text();
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    await gateway.drain(1000);
    const [missRecord, hitRecord] = seen.map((ctx) => buildLogRecord(ctx));
    expect(missRecord.bytes.out).toBe(new TextEncoder().encode(missText).byteLength);
    expect(hitRecord.bytes.out).toBe(new TextEncoder().encode(hitText).byteLength);
    expect(hitText).toBe(missText);
  });

  it("counts the bytes of a replayed stream from the cache", async () => {
    const { gateway, seen } = await gatewayWith([cache({ ttl: 60 })]);
    const body = { ...chat("same"), stream: true };
    const first = await (await gateway.post("/v1/chat/completions", body)).text();
    await gateway.drain(1000);
    const replay = await gateway.post("/v1/chat/completions", body);
    expect(replay.headers.get("x-switchyard-cache")).toBe("hit");
    const second = await replay.text();
    await gateway.drain(1000);
    expect(second).toBe(first);
    const records = seen.map((ctx) => buildLogRecord(ctx));
    expect(records[1].bytes.out).toBe(new TextEncoder().encode(second).byteLength);
  });

  it("refuses an in-place edit of the body, naming the plugin, whatever the target model", async () => {
    const editsInPlace = definePlugin({
      name: "edits-in-place",
      onRequest(ctx) {
        (ctx.body as Record<string, unknown>).temperature = 0;
      },
    });
    const nested = definePlugin({
      name: "edits-nested",
      onRequest(ctx) {
        ((ctx.body as { messages: { content: string }[] }).messages[0]).content = "changed";
      },
    });
    for (const plugin of [editsInPlace, nested]) {
      const { gateway, upstream } = await gatewayWith([plugin]);
      for (const model of ["same", "renamed"]) {
        const res = await gateway.post("/v1/chat/completions", chat(model));
        expect(res.status).toBe(500);
        expect((await res.json()).error.message).toContain(`Plugin "${plugin.name}" failed in onRequest`);
      }
      expect(upstream.calls).toHaveLength(0);
    }
  });

  it("applies setBody whatever the target model, and the new body stays frozen", async () => {
    let frozen = false;
    const setsBody = definePlugin({
      name: "sets-body",
      onRequest(ctx) {
        ctx.setBody({ ...ctx.body, temperature: 0 });
        frozen = Object.isFrozen(ctx.body);
      },
    });
    const { gateway, upstream } = await gatewayWith([setsBody]);
    for (const model of ["same", "renamed"]) await gateway.post("/v1/chat/completions", chat(model));
    expect(upstream.calls.map((call) => call.body?.temperature)).toEqual([0, 0]);
    expect(upstream.calls.map((call) => call.body?.model)).toEqual(["same", "gpt-4o-mini"]);
    expect(frozen).toBe(true);
  });

  it("keeps number spellings, spacing and key order when only the model changes", async () => {
    const { gateway, upstream } = await gatewayWith([]);
    const raw = '{ "temperature": 1.0, "model" : "renamed", "top_p":1e0, "messages":[{"role":"user","content":"hi \\u00e9"}], "zeta": {"b":1,"a":2} }';
    const res = await gateway.post("/v1/chat/completions", raw);
    expect(res.status).toBe(200);
    expect(upstream.calls[0].rawBody).toBe(raw.replace('"renamed"', '"gpt-4o-mini"'));
  });

  it("refuses a body nested deeper than the limit with a 400 instead of overflowing the stack", async () => {
    const { gateway, upstream } = await gatewayWith([cache({ ttl: 60 })]);
    const deep = `{"model":"same","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    const res = await gateway.post("/v1/chat/completions", deep);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("json_too_deep");
    expect(upstream.calls).toHaveLength(0);
  });
});

describe("what a JSON surface accepts", () => {
  it("answers a non-JSON content type with 415 in the client's dialect, with a request id, and logs it", async () => {
    const { gateway, upstream, seen } = await gatewayWith([]);
    const res = await gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(chat("same")) });
    expect(res.status).toBe(415);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect((await res.json()).error.code).toBe("unsupported_media_type");
    await gateway.drain(1000);
    expect(seen.map((ctx) => ctx.status)).toEqual([415]);
    expect(upstream.calls).toHaveLength(0);
  });

  it("takes a gzip body", async () => {
    const { gateway, upstream } = await gatewayWith([]);
    const gz = new Uint8Array(await new Response(new Blob([JSON.stringify(chat("same"))]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
    const res = await gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: gz });
    expect(res.status).toBe(200);
    expect(upstream.calls[0].body?.model).toBe("same");
  });
});
