import { surfaceInfo } from "../../core/surfaces.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auth, hashKey, route } from "../../plugins/index.ts";
import { createTestGateway, inProcessUpstream, mockUpstream } from "../../testing/index.ts";
import { openai } from "../../providers/openai.ts";
import { definePlugin, RequestContext } from "../../core/index.ts";
import { captureCompleted } from "../helpers/upstream.ts";

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

const SECRET = "sk-team-a-0123456789";
const ask = (model = "mock/x") => ({ model, messages: [{ role: "user", content: "hi" }] });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("auth virtual keys", () => {
  const dir = mkdtemp(join(tmpdir(), "switchyard-auth-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  it("puts id, team, tags and metadata on ctx.principal, and the secret nowhere on the context", async () => {
    const capture = captureCompleted();
    const gw = await createTestGateway({
      plugins: [auth({ keys: [{ id: "team-a", key: SECRET, team: "search", tags: ["prod"], metadata: { owner: "ana" } }] }), capture],
    });
    const res = await gw.post("/v1/chat/completions", ask(), bearer(SECRET));
    expect(res.status).toBe(200);
    await gw.drain(1000);
    const ctx = capture.completed[0];
    expect(ctx.principal).toEqual({ id: "team-a", team: "search", tags: ["prod"], metadata: { owner: "ana" } });
    expect(ctx.vars.authKeyId).toBe("team-a");
    expect(JSON.stringify({ principal: ctx.principal, vars: ctx.vars })).not.toContain(SECRET);
    expect(Object.isFrozen(ctx.principal)).toBe(true);
  });

  it("refuses a missing, wrong, disabled or expired key with 401 and an OpenAI error", async () => {
    const gw = await createTestGateway({
      plugins: [
        auth({
          keys: [
            { id: "ok", key: SECRET },
            { id: "off", key: "sk-disabled-0123456", disabled: true },
            { id: "old", key: "sk-expired-0123456", expiresAt: "2020-01-01T00:00:00Z" },
            { id: "later", key: "sk-later-01234567", expiresAt: Date.now() + 3_600_000 },
          ],
        }),
      ],
    });
    const cases: [Record<string, string>, string | null][] = [
      [{}, "Missing API key"],
      [bearer("sk-wrong-0123456789"), "Incorrect API key"],
      [bearer("sk-disabled-0123456"), "disabled"],
      [bearer("sk-expired-0123456"), "expired"],
      [bearer("sk-later-01234567"), null],
      [{ "x-api-key": SECRET }, null],
    ];
    for (const [headers, message] of cases) {
      const res = await gw.post("/v1/chat/completions", ask(), headers);
      if (message === null) {
        expect(res.status).toBe(200);
        continue;
      }
      expect(res.status).toBe(401);
      const body = await res.json();
      expect(body.error.code).toBe("invalid_api_key");
      expect(body.error.message).toContain(message);
    }
  });

  it("limits a key to its models (aliases and globs) and lists only those", async () => {
    const gw = await createTestGateway({
      plugins: [
        auth({ keys: [{ id: "k", key: SECRET, models: ["fast", "mock/gpt-*"] }] }),
        route({ models: { fast: [{ provider: "mock", model: "m" }], slow: [{ provider: "mock", model: "m" }] } }),
      ],
    });
    expect((await gw.post("/v1/chat/completions", ask("fast"), bearer(SECRET))).status).toBe(200);
    expect((await gw.post("/v1/chat/completions", ask("mock/gpt-x"), bearer(SECRET))).status).toBe(200);
    const denied = await gw.post("/v1/chat/completions", ask("slow"), bearer(SECRET));
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.code).toBe("model_not_allowed");
    const models = await (await gw.request("/v1/models", { headers: bearer(SECRET) })).json();
    expect(models.data.map((m: { id: string }) => m.id)).toEqual(["fast"]);
  });

  it("loads keys from an environment variable and a file, including pre-hashed ones", async () => {
    const file = join(await dir, "keys.json");
    await writeFile(file, JSON.stringify({ keys: [{ id: "from-file", hash: await hashKey("sk-file-0123456789"), team: "ops" }] }));
    process.env.SWITCHYARD_TEST_KEYS = JSON.stringify([{ id: "from-env", key: "sk-env-0123456789" }]);
    try {
      const capture = captureCompleted();
      const gw = await createTestGateway({ plugins: [auth({ keys: [{ id: "inline", key: SECRET }], env: "SWITCHYARD_TEST_KEYS", file }), capture] });
      for (const key of [SECRET, "sk-env-0123456789", "sk-file-0123456789"]) {
        expect((await gw.post("/v1/chat/completions", ask(), bearer(key))).status).toBe(200);
      }
      await gw.drain(1000);
      expect(capture.completed.map((c) => c.principal?.id)).toEqual(["inline", "from-env", "from-file"]);
      expect(capture.completed[2].principal?.team).toBe("ops");
    } finally {
      delete process.env.SWITCHYARD_TEST_KEYS;
    }
  });

  it("fails at build with a message that names the bad key", async () => {
    const build = (options: Parameters<typeof auth>[0]) => createTestGateway({ plugins: [auth(options)] });
    await expect(build({ keys: [{ id: "a", key: "short" }] })).rejects.toThrow(/keys\[0\]\.key .*at least 8/);
    await expect(build({ keys: [{ id: "a", key: SECRET }, { id: "a", key: "sk-other-0123456" }] })).rejects.toThrow(/used twice/);
    await expect(build({ keys: [{ id: "a", key: SECRET }, { id: "b", key: SECRET }] })).rejects.toThrow(/repeats the secret/);
    await expect(build({ keys: [{ id: "a", hash: "nothex" }] })).rejects.toThrow(/SHA-256/);
    await expect(build({ keys: [{ id: "a", key: SECRET, expiresAt: "someday" }] })).rejects.toThrow(/expiresAt/);
    await expect(build({ env: "SWITCHYARD_TEST_UNSET_VARIABLE" })).rejects.toThrow(/is not set/);
    await expect(build({ file: join(await dir, "missing.json") })).rejects.toThrow(/cannot read key file/);
    expect(() => auth({} as never)).toThrow(/give keys, env/);
  });
});

describe("auth hashing", () => {
  it("checks a key synchronously (no promise on the request path) with the SHA-256 hashKey gives", async () => {
    expect(await hashKey("abc")).toBe("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const plugin = auth({ keys: [{ id: "a", key: "sk-sync-check-1" }] });
    await plugin.setup!({} as never);
    const request = new Request("http://gateway.test/v1/chat/completions", { method: "POST", headers: { authorization: "Bearer sk-sync-check-1" } });
    const ctx = new RequestContext(request, surfaceInfo("chat"), body("m"), "m", false, 0, "");
    const result = (plugin.onRequest as (c: RequestContext) => unknown)(ctx);
    expect(result).toBeUndefined();
    expect(ctx.principal?.id).toBe("a");
  });
});
