import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { type RunningGateway, startCli } from "../helpers/cli.ts";

const primary = mockUpstream({ chunkDelayMs: 1 });
const backup = mockUpstream({ chunkDelayMs: 1 });
let servers: Listener[] = [];
let gateway: RunningGateway;
let client: OpenAI;

beforeAll(async () => {
  servers = [await listen(primary.fetch, { port: 0 }), await listen(backup.fetch, { port: 0 })];
  const dir = mkdtempSync(join(tmpdir(), "switchyard-reliability-"));
  const config = join(dir, "switchyard.config.ts");
  writeFileSync(
    config,
    `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
import { cache, circuitBreaker, fallback, route } from "switchyard/plugins";

export default defineConfig({
  providers: {
    primary: openai({ baseURL: ${JSON.stringify(`${servers[0].url}/v1`)}, timeouts: { firstByteMs: 2000, idleMs: 2000 } }),
    backup: openai({ baseURL: ${JSON.stringify(`${servers[1].url}/v1`)} }),
  },
  plugins: [
    route({ models: { fast: [{ provider: "primary", model: "gpt-4o-mini" }, { provider: "backup", model: "gpt-4o-mini" }] } }),
    fallback({ retries: 0 }),
    circuitBreaker({ failures: 5 }),
    cache({ ttl: 60 }),
  ],
});
`,
  );
  gateway = await startCli(["--config", config], { cwd: tmpdir() });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  for (const server of servers) await server.close(500);
});

describe("reliability plugins through the CLI and the official openai client", () => {
  it("serves from the backup when the primary fails, then from the cache", async () => {
    primary.fail({ status: 500 });
    const first = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "fall back" }] }).withResponse();
    expect(first.response.headers.get("x-switchyard-provider")).toBe("backup");
    expect(first.response.headers.get("x-switchyard-attempts")).toBe("2");
    expect(first.response.headers.get("x-switchyard-cache")).toBe("miss");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "fall back" }] }).withResponse();
    expect(second.response.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.data).toEqual(first.data);
    expect(primary.calls).toHaveLength(1);
    expect(backup.calls).toHaveLength(1);
  });

  it("ends a stream that breaks mid-way with an error the client raises, and does not cache it", async () => {
    primary.fail({ cutAfterEvents: 2 });
    const stream = await client.chat.completions.create({ model: "fast", stream: true, messages: [{ role: "user", content: "break please" }] });
    const received: string[] = [];
    await expect(async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta?.content ?? "");
    }).rejects.toThrow("Upstream stream ended unexpectedly.");
    // What got through before the cut depends on what the upstream socket flushed: at least one.
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.length).toBeLessThanOrEqual(2);
    const again = await client.chat.completions.create({ model: "fast", stream: true, messages: [{ role: "user", content: "break please" }] }).withResponse();
    expect(again.response.headers.get("x-switchyard-cache")).toBe("miss");
    for await (const _ of again.data);
  });
});
