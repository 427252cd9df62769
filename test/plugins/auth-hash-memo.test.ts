import { describe, expect, it } from "vitest";
import { createGateway } from "../../core/index.ts";
import { auth } from "../../plugins/index.ts";
import { mock } from "../../providers/index.ts";
import { memoryKeyStore } from "../../stores/index.ts";
import { KeyHashMemo } from "../../plugins/auth/hash-memo.ts";
import { sha256Hex } from "../../plugins/auth/secret.ts";

describe("auth: remembered key hashes", () => {
  it("remembers only keys the table knows, and starts over when full", () => {
    const known = new Set([sha256Hex("sk-a"), sha256Hex("sk-b"), sha256Hex("sk-c")]);
    const memo = new KeyHashMemo(2);
    expect(memo.hashOf("sk-random", (h) => known.has(h))).toBe(sha256Hex("sk-random"));
    expect(memo.size).toBe(0);
    expect(memo.hashOf("sk-a", (h) => known.has(h))).toBe(sha256Hex("sk-a"));
    expect(memo.hashOf("sk-b", (h) => known.has(h))).toBe(sha256Hex("sk-b"));
    expect(memo.size).toBe(2);
    // Remembered: the table is not asked again for its hash.
    expect(memo.hashOf("sk-a", () => false)).toBe(sha256Hex("sk-a"));
    memo.hashOf("sk-c", (h) => known.has(h));
    expect(memo.size).toBe(1);
  });

  it("still refuses a key disabled or deleted after it was used", async () => {
    const store = memoryKeyStore();
    const gateway = await createGateway({ providers: { mock: mock() }, plugins: [auth({ store })] });
    const secret = "sk-alice-0123456789";
    const now = new Date().toISOString();
    await store.createKey({ id: "alice", hash: sha256Hex(secret), createdAt: now, updatedAt: now }, "test");
    const ask = () => gateway.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${secret}` }, body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }) });
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    await store.updateKey("alice", (record) => ({ ...record, disabled: true }), "test");
    const refused = await ask();
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/disabled/);
    await store.deleteKey("alice", "test");
    expect((await ask()).status).toBe(401);
    await gateway.close();
  });
});
