import { describe, expect, it } from "vitest";
import { knownBodyText, textResponse } from "../../core/known-body.ts";

describe("known response bodies", () => {
  it("gives the text of a response built from it, with status and headers as given", async () => {
    const response = textResponse('{"a":1}', { status: 201, headers: { "content-type": "application/json" } });
    expect(knownBodyText(response)).toBe('{"a":1}');
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.text()).toBe('{"a":1}');
  });

  it("forgets it once the body was read, and knows nothing of other responses", async () => {
    const response = textResponse("x", {});
    await response.arrayBuffer();
    expect(knownBodyText(response)).toBeUndefined();
    expect(knownBodyText(new Response("y"))).toBeUndefined();
    const original = textResponse("z", {});
    expect(knownBodyText(new Response(original.body, original))).toBeUndefined();
  });
});
