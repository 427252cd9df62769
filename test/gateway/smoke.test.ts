import { describe, expect, it } from "vitest";
import { createTestGateway, readSSE } from "../../testing/index.ts";
import { route } from "../../plugins/index.ts";

describe("smoke", () => {
  it("answers a model id with a newline with 400, not a 500 from an unsendable header", async () => {
    const gw = await createTestGateway();
    for (const surface of ["/v1/chat/completions", "/v1/embeddings"]) {
      const res = await gw.post(surface, { model: "mock/a\nb", messages: [{ role: "user", content: "hi" }], input: "x" });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param: "model", code: "invalid_value" });
    }
    expect(gw.reported).toHaveLength(0);
  });

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
