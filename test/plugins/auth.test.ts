import { describe, expect, it } from "vitest";
import { auth, route } from "../../plugins/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";
import { openai } from "../../providers/openai.ts";
import { definePlugin, type RequestContext } from "../../core/index.ts";

const KEYS = [
  { id: "team-a", key: "sk-team-a-secret-1", team: "alpha", tags: ["prod"] },
  { id: "narrow", key: "sk-narrow-secret-2", models: ["fast", "mock/mock-*"] },
];
const body = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] });

async function gateway(extra: ReturnType<typeof definePlugin>[] = []) {
  return createTestGateway({
    plugins: [auth({ keys: KEYS }), route({ models: { fast: [{ provider: "mock", model: "mock" }], smart: [{ provider: "mock", model: "mock" }] } }), ...extra],
  });
}

describe("auth plugin", () => {
  it("accepts Authorization: Bearer and x-api-key", async () => {
    const gw = await gateway();
    expect((await gw.post("/v1/chat/completions", body("fast"), { authorization: "Bearer sk-team-a-secret-1" })).status).toBe(200);
    expect((await gw.post("/v1/chat/completions", body("fast"), { "x-api-key": "sk-team-a-secret-1" })).status).toBe(200);
  });

  it("401s a missing, malformed or wrong key with an OpenAI-shaped body", async () => {
    const gw = await gateway();
    for (const headers of [{}, { authorization: "Basic abc" }, { authorization: "Bearer sk-team-a-secret-X" }, { "x-api-key": "" }] as Record<string, string>[]) {
      const res = await gw.post("/v1/chat/completions", body("fast"), headers);
      expect(res.status).toBe(401);
      const json = await res.json();
      expect(json.error.code).toBe("invalid_api_key");
      expect(json.error.type).toBe("authentication_error");
    }
  });

  it("403s a model the key may not use; globs and aliases are honoured", async () => {
    const gw = await gateway();
    const h = { authorization: "Bearer sk-narrow-secret-2" };
    expect((await gw.post("/v1/chat/completions", body("fast"), h)).status).toBe(200);
    expect((await gw.post("/v1/chat/completions", body("mock/mock-2"), h)).status).toBe(200);
    const denied = await gw.post("/v1/chat/completions", body("smart"), h);
    expect(denied.status).toBe(403);
    expect((await denied.json()).error).toMatchObject({ code: "model_not_allowed", param: "model" });
  });

  it("puts the principal on the context, never the secret", async () => {
    let seen: RequestContext | null = null;
    const gw = await gateway([definePlugin({ name: "spy", onRequest: (ctx) => void (seen = ctx) })]);
    await gw.post("/v1/chat/completions", body("fast"), { authorization: "Bearer sk-team-a-secret-1" });
    expect(seen!.principal).toEqual({ id: "team-a", team: "alpha", tags: ["prod"] });
    expect(JSON.stringify(seen!.principal)).not.toContain("secret");
  });

  it("never forwards the caller's key upstream", async () => {
    const upstream = mockUpstream();
    const gw = await createTestGateway({
      providers: { up: openai({ baseURL: "http://up.test/v1", apiKey: "sk-provider" }) },
      plugins: [auth({ keys: KEYS })],
      upstream: inProcessUpstream(upstream.fetch),
    });
    await gw.post("/v1/chat/completions", body("up/gpt-4o"), { authorization: "Bearer sk-team-a-secret-1", "x-api-key": "sk-team-a-secret-1" });
    const sent = JSON.stringify(upstream.calls[0].headers);
    expect(sent).not.toContain("sk-team-a-secret-1");
    expect(upstream.calls[0].headers.authorization).toBe("Bearer sk-provider");
  });

  it("filters GET /v1/models to what the key may use, and guards it", async () => {
    const gw = await gateway();
    expect((await gw.request("/v1/models")).status).toBe(401);
    const all = await (await gw.request("/v1/models", { headers: { authorization: "Bearer sk-team-a-secret-1" } })).json();
    expect(all.data.map((m: { id: string }) => m.id)).toEqual(["fast", "smart", "mock/mock"]);
    const narrow = await (await gw.request("/v1/models", { headers: { authorization: "Bearer sk-narrow-secret-2" } })).json();
    expect(narrow.data.map((m: { id: string }) => m.id)).toEqual(["fast"]);
    expect((await gw.request("/v1/models/smart", { headers: { authorization: "Bearer sk-narrow-secret-2" } })).status).toBe(404);
  });

  it("refuses bad key configs at build time", async () => {
    await expect(createTestGateway({ plugins: [auth({ keys: [{ id: "a", key: "short" }] })] })).rejects.toThrow(/at least 8 characters/);
    await expect(createTestGateway({ plugins: [auth({ keys: [{ id: "a", key: "sk-aaaaaaaa" }, { id: "a", key: "sk-bbbbbbbb" }] })] })).rejects.toThrow(/used twice/);
    await expect(createTestGateway({ plugins: [auth({ keys: [{ id: "a", key: "sk-aaaaaaaa" }, { id: "b", key: "sk-aaaaaaaa" }] })] })).rejects.toThrow(/repeats the secret/);
  });
});
