import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { definePlugin, type GatewayError, type RequestContext } from "../../core/index.ts";
import { fallback, route } from "../../plugins/index.ts";
import { openai } from "../../providers/openai.ts";
import { listen, type Listener, nodeUpstream } from "../../runtimes/node.ts";
import { createTestGateway, mockUpstream } from "../../testing/index.ts";
import { chat, settled } from "./helpers.ts";

/** A port nothing listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A port whose connections never complete: a listener in a stopped child process with a full
 * accept queue, so the kernel drops further SYNs and `connect` hangs, as behind a black hole.
 */
async function blackHole(): Promise<{ port: number; close(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["-e", `const s=require("net").createServer();s.listen({port:0,host:"127.0.0.1",backlog:1},()=>console.log(s.address().port))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  process.kill(child.pid!, "SIGSTOP");
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(connect(port, "127.0.0.1").on("error", () => {}));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    port,
    close() {
      for (const s of fillers) s.destroy();
      child.kill("SIGKILL");
    },
  };
}

const good = mockUpstream();
const flaky = mockUpstream();
let goodServer: Listener;
let flakyServer: Listener;

beforeAll(async () => {
  goodServer = await listen(good.fetch, { port: 0 });
  flakyServer = await listen(flaky.fetch, { port: 0 });
});

afterAll(async () => {
  await goodServer?.close(500);
  await flakyServer?.close(500);
});

async function gatewayTo(primaryURL: string, timeouts?: { connectMs?: number; firstByteMs?: number }) {
  const seen: RequestContext[] = [];
  const errors: GatewayError[] = [];
  const gateway = await createTestGateway({
    providers: {
      primary: openai({ baseURL: `${primaryURL}/v1`, timeouts }),
      backup: openai({ baseURL: `${goodServer.url}/v1` }),
    },
    upstream: nodeUpstream(),
    plugins: [
      route({ models: { fast: [{ provider: "primary", model: "m" }, { provider: "backup", model: "m" }] } }),
      definePlugin({ name: "recorder", onAttemptError: (_ctx, _attempt, error) => void errors.push(error), onComplete: (ctx) => void seen.push(ctx) }),
      fallback({ retries: 0 }),
    ],
  });
  return { gateway, seen, errors };
}

describe("network faults through the Node upstream", () => {
  it("falls back when the connection is refused", async () => {
    const { gateway, seen } = await gatewayTo(`http://127.0.0.1:${await closedPort()}`);
    const res = await gateway.post("/v1/chat/completions", chat("fast"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("backup");
    await settled(gateway);
    expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", status: 502, errorCode: "upstream_unreachable", fault: "provider" });
    await gateway.close();
  });

  it("falls back when the connection is reset before any header", async () => {
    const { gateway, seen } = await gatewayTo(flakyServer.url);
    flaky.reset();
    flaky.fail({ reset: true });
    const res = await gateway.post("/v1/chat/completions", chat("fast", { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-switchyard-provider")).toBe("backup");
    await res.text();
    await settled(gateway);
    expect(flaky.calls).toHaveLength(1);
    expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", errorCode: "upstream_unreachable" });
    await gateway.close();
  });

  it("gives up connecting after connectMs and falls back", async () => {
    // undici times connects with a coarse (about 1 s) timer: this test waits about that long.
    const hole = await blackHole();
    try {
      const { gateway, seen, errors } = await gatewayTo(`http://127.0.0.1:${hole.port}`, { connectMs: 100 });
      const res = await gateway.post("/v1/chat/completions", chat("fast"));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-switchyard-provider")).toBe("backup");
      expect(errors[0].message).toBe('Provider "primary" did not answer in time (connect timeout, 100 ms).');
      await settled(gateway);
      expect(seen[0].attempts[0]).toMatchObject({ outcome: "error", status: 504, errorCode: "upstream_timeout" });
      await gateway.close();
    } finally {
      hole.close();
    }
  });
});
