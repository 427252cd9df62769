import { describe, expect, it } from "vitest";
import { hostGuard, type HostGuardOptions, route } from "../../plugins/index.ts";
import { mock } from "../../providers/mock.ts";
import { createTestGateway } from "../../testing/index.ts";

async function guarded(options?: HostGuardOptions) {
  return createTestGateway({ providers: { mock: mock() }, plugins: [route({ models: { m: [{ provider: "mock", model: "mock" }] } }), hostGuard(options)] });
}

const body = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("hostGuard", () => {
  it("answers loopback hosts on any port by default, and refuses every other Host with 403", async () => {
    const gateway = await guarded();
    for (const host of ["localhost:8787", "127.0.0.1:8787", "[::1]:8787", "LOCALHOST", "127.0.0.1"]) {
      expect((await gateway.post("/v1/chat/completions", body, { host })).status).toBe(200);
    }
    for (const host of ["evil.example:8787", "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.5:8787"]) {
      const res = await gateway.post("/v1/chat/completions", body, { host });
      expect(res.status).toBe(403);
      const error = (await res.json()).error;
      expect(error).toMatchObject({ code: "host_not_allowed", type: "permission_error" });
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    }
    // The models list too: every API surface is guarded.
    expect((await gateway.request("/v1/models", { headers: { host: "evil.example" } })).status).toBe(403);
  });

  it("refuses a browser request from a foreign origin, and lets listed origins and the gateway's own through", async () => {
    const gateway = await guarded({ hosts: ["gateway.internal", "*.corp.example", "api.example:443"], origins: ["https://app.example.com"] });
    const post = (headers: Record<string, string>) => gateway.post("/v1/chat/completions", body, headers);
    expect((await post({ host: "gateway.internal" })).status).toBe(200);
    expect((await post({ host: "llm.corp.example:8080" })).status).toBe(200);
    expect((await post({ host: "corp.example" })).status).toBe(403);
    expect((await post({ host: "api.example:443" })).status).toBe(200);
    expect((await post({ host: "api.example:8443" })).status).toBe(403);
    expect((await post({ host: "gateway.internal", origin: "https://app.example.com" })).status).toBe(200);
    expect((await post({ host: "gateway.internal", origin: "http://gateway.internal" })).status).toBe(200);
    for (const origin of ["https://evil.example", "null", "https://app.example.com.evil.example"]) {
      const res = await post({ host: "gateway.internal", origin });
      expect(res.status).toBe(403);
      expect((await res.json()).error.code).toBe("origin_not_allowed");
    }
  });

  it("runs before every other plugin", async () => {
    const gateway = await guarded();
    expect(gateway.plugins[0].name).toBe("host-guard");
  });

  it("refuses bad options when built", () => {
    expect(() => hostGuard({ hosts: [] })).toThrow(/at least one host/);
    expect(() => hostGuard({ hosts: [""] })).toThrow(/non-empty/);
    expect(() => hostGuard({ origins: ["app.example.com"] })).toThrow(/must be URLs/);
  });
});
