import { BUILT_IN_SURFACES, CHAT_SURFACE } from "../../core/surfaces.ts";
import { describe, expect, it } from "vitest";
import { Hono } from "hono";
import { fetchWithChatFastPath } from "../../core/http.ts";
import type { Pipeline } from "../../core/pipeline.ts";
import { createTestGateway } from "../../testing/index.ts";

const chat = JSON.stringify({ model: "mock/mock", messages: [{ role: "user", content: "hi" }] });

describe("chat completions without the router", () => {
  it("answers the chat path, with a query, and the escaped spelling the router decodes", async () => {
    const gw = await createTestGateway();
    for (const path of ["/v1/chat/completions", "/v1/chat/completions?x=1", "/v1/chat/%63ompletions"]) {
      const res = await gw.request(path, { method: "POST", body: chat, headers: { "content-type": "application/json" } });
      expect(res.status, path).toBe(200);
      expect((await res.json()).object).toBe("chat.completion");
    }
  });

  it("leaves every other path and method to the router as before", async () => {
    const gw = await createTestGateway();
    const trailing = await gw.request("/v1/chat/completions/", { method: "POST", body: chat });
    expect(trailing.status).toBe(404);
    const get = await gw.request("/v1/chat/completions");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await gw.request("/health")).status).toBe(200);
  });

  it("turns a rejection from the pipeline into the router's OpenAI-shaped 500, and never answers other paths itself", async () => {
    const app = new Hono();
    app.all("*", () => new Response("from the router"));
    const failing = { inference: () => Promise.reject(new Error("a bug")) } as unknown as Pipeline;
    const fetch = fetchWithChatFastPath(app, failing, CHAT_SURFACE, BUILT_IN_SURFACES);
    const res = await fetch(new Request("http://gateway.test/v1/chat/completions", { method: "POST", body: chat }));
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ type: "api_error", code: "internal_error" });
    const other = await fetch(new Request("http://gateway.test/v1/embeddings", { method: "POST", body: chat }));
    expect(await other.text()).toBe("from the router");
  });
});
