import { describe, expect, it } from "vitest";
import { createTestGateway, readSSE } from "../../testing/index.ts";
import { route } from "../../plugins/index.ts";

describe("smoke", () => {
  it("answers chat, stream, embeddings, models", async () => {
    const gw = await createTestGateway({ plugins: [route({ models: { fast: [{ provider: "mock", model: "mock" }] } })] });
    const r1 = await gw.post("/v1/chat/completions", { model: "fast", messages: [{ role: "user", content: "hi there" }] });
    expect(r1.status).toBe(200);
    const j = await r1.json();
    expect(j.choices[0].message.content).toContain("hi there");
    const r2 = await gw.post("/v1/chat/completions", { model: "mock/x", stream: true, messages: [{ role: "user", content: "hi" }] });
    const events = await readSSE(r2);
    expect(events.length).toBeGreaterThan(2);
    const r3 = await gw.post("/v1/embeddings", { model: "fast", input: "abc" });
    expect((await r3.json()).data[0].embedding.length).toBe(1536);
    const r4 = await gw.request("/v1/models");
    expect((await r4.json()).data.map((m: any) => m.id)).toEqual(["fast", "mock/mock"]);
  });
});
