import { describe, expect, it } from "vitest";
import { route } from "../../plugins/index.ts";
import { createTestGateway } from "../../testing/index.ts";
import { mock } from "../../providers/mock.ts";
import { definePlugin, type Target } from "../../core/index.ts";

describe("route plugin", () => {
  it("resolves an alias to its ordered plan and serves from the first target", async () => {
    let plan: readonly Target[] | null = null;
    const gw = await createTestGateway({
      providers: { a: mock(), b: mock() },
      plugins: [
        route({ models: { fast: [{ provider: "b", model: "m2" }, { provider: "a", model: "m1" }] } }),
        definePlugin({ name: "spy", onComplete: (ctx) => void (plan = ctx.targets) }),
      ],
    });
    const res = await gw.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "x" }] });
    expect(res.headers.get("x-switchyard-provider")).toBe("b");
    expect(res.headers.get("x-switchyard-model")).toBe("m2");
    await gw.drain(1000);
    expect(plan).toEqual([{ provider: "b", model: "m2", weight: undefined }, { provider: "a", model: "m1", weight: undefined }]);
  });

  it("leaves <provider>/<model> addressing to the core and 404s unknown models", async () => {
    const gw = await createTestGateway({ providers: { a: mock() }, plugins: [route({ models: { fast: [{ provider: "a", model: "m" }] } })] });
    expect((await gw.post("/v1/chat/completions", { model: "a/other", messages: [{ role: "user", content: "x" }] })).headers.get("x-switchyard-model")).toBe("other");
    const missing = await gw.post("/v1/chat/completions", { model: "b/other", messages: [{ role: "user", content: "x" }] });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("model_not_found");
  });

  it("puts the weighted pick first and keeps the rest in list order", async () => {
    const gw = await createTestGateway({
      providers: { a: mock(), b: mock(), c: mock() },
      plugins: [route({ models: { w: [{ provider: "a", model: "m", weight: 1 }, { provider: "b", model: "m", weight: 3 }, { provider: "c", model: "m", weight: 0 }] } })],
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 2000; i++) {
      const res = await gw.post("/v1/embeddings", { model: "w", input: "x", dimensions: 4 });
      counts[res.headers.get("x-switchyard-provider")!]++;
    }
    expect(counts.c).toBe(0);
    expect(counts.b / 2000).toBeGreaterThan(0.7);
    expect(counts.b / 2000).toBeLessThan(0.8);
  });

  it("checks targets against configured providers at build time", async () => {
    await expect(createTestGateway({ providers: { a: mock() }, plugins: [route({ models: { x: [{ provider: "zz", model: "m" }] } })] })).rejects.toThrow(
      'Plugin "route" failed in setup: models.x[0].provider "zz" is not a configured provider (configured: a)',
    );
    await expect(createTestGateway({ providers: { a: mock() }, plugins: [route({ models: { x: [] } })] })).rejects.toThrow("models.x must be a non-empty array");
    await expect(createTestGateway({ providers: { a: mock() }, plugins: [route({ models: { x: [{ provider: "a", model: "m", weight: -1 }] } })] })).rejects.toThrow(
      "weight must be a number >= 0",
    );
  });
});
