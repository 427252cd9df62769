import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, type RunningGateway, startCli } from "../helpers/cli.ts";

/**
 * Every config in examples/ starts through the CLI and answers a request, as its comments say
 * to run it, so the examples cannot rot. Shared services are left out (Redis, Postgres, OpenAI):
 * each example falls back to what runs on one machine.
 */

const EXAMPLES = join(ROOT, "examples");
const OFFLINE = { OPENAI_API_KEY: "", REDIS_URL: "", DATABASE_URL: "" };

/** How to ask each example something it answers. */
const REQUESTS: Record<string, { model: string; key?: string; before?: (gateway: RunningGateway) => Promise<string> }> = {
  basic: { model: "fast", key: "sk-switchyard-demo" },
  governance: { model: "mock/mock", key: "sk-demo-search-app" },
  otel: { model: "fast" },
  plugin: { model: "mock" },
  reliability: { model: "fast", key: "sk-demo-global" },
  operations: {
    model: "fast",
    // Make a key through the admin API, then use it.
    async before(gateway) {
      const res = await fetch(`${gateway.url}/admin/v1/keys`, {
        method: "POST",
        headers: { authorization: "Bearer sk-demo-admin-0123456789", "content-type": "application/json" },
        body: JSON.stringify({ id: "example-app", rpm: 10 }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { secret: string }).secret;
    },
  },
};

async function chat(url: string, model: string, key: string | undefined): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hello example" }] }),
  });
}

let running: RunningGateway | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe("examples/", () => {
  const configs = readdirSync(EXAMPLES).filter((name) => readdirSync(join(EXAMPLES, name)).includes("switchyard.config.ts"));

  it("has a request for every example config", () => {
    expect(configs.sort()).toEqual(Object.keys(REQUESTS).sort());
  });

  it.each(configs)("%s starts and answers", async (name) => {
    const cwd = mkdtempSync(join(tmpdir(), `switchyard-example-${name}-`));
    const gateway = await startCli(["--config", join(EXAMPLES, name, "switchyard.config.ts")], { cwd, env: OFFLINE });
    running = gateway;
    const ask = REQUESTS[name];
    const key = ask.before === undefined ? ask.key : await ask.before(gateway);
    const res = await chat(gateway.url, ask.model, key);
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect((JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0].message.content).toContain("hello example");
    expect(await gateway.stop()).toBe(0);
    running = null;
  });

  it("otel/server.ts serves with tracing and hands its spans to the OTLP endpoint on SIGTERM", async () => {
    const traces: string[] = [];
    const collector = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.url === "/v1/traces") traces.push(body);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const child = spawn(process.execPath, [join(ROOT, "scripts", "run-ts.mjs"), join(EXAMPLES, "otel", "server.ts")], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          const match = /switchyard on (http:\/\/\S+)/.exec(output);
          if (match !== null) resolve(match[1]);
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", onData);
        void exited.then((code) => reject(new Error(`otel/server.ts exited with ${code}:\n${output}`)));
      });
      const res = await chat(url, "fast", undefined);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    collector.close();
    expect(traces.join("")).toContain("gen_ai.operation.name");
  }, 30_000);
});

describe("the README", () => {
  it("its library snippet runs and its mock model answers", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Using it as a library"));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)![1];
    // The snippet as written, on a free port, closed at the end so the process exits.
    const dir = mkdtempSync(join(ROOT, "test", ".readme-"));
    const file = join(dir, "snippet.ts");
    writeFileSync(file, `${snippet.replace("port: 8787", "port: 0, handleSignals: false")}\nawait server.shutdown();\n`);
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts", "run-ts.mjs"), file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (c) => (text += c));
      child.stderr.on("data", (c) => (text += c));
      child.once("exit", (code) => resolve({ code, text }));
    });
    (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
    expect(output.text).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+\n.*Hello!/);
    expect(output.code).toBe(0);
  }, 30_000);
});
