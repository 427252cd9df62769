import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auth, hashKey, route } from "../../plugins/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { captureCompleted } from "../helpers/upstream.ts";

const SECRET = "sk-team-a-0123456789";
const ask = (model = "mock/x") => ({ model, messages: [{ role: "user", content: "hi" }] });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("auth", () => {
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
