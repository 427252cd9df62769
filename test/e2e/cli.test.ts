import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCli, startCli } from "../helpers/cli.ts";
import { until } from "../helpers/load.ts";

function configDir(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-cli-"));
  writeFileSync(join(dir, "switchyard.config.ts"), source);
  return dir;
}

describe("switchyard CLI", () => {
  it("starts the embedded default and serves the mock model", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "switchyard-empty-"));
    const gateway = await startCli([], { cwd, env: { OPENAI_API_KEY: "" } });
    let requestId: string | null = null;
    try {
      expect(gateway.output()).toContain("embedded default");
      // The startup output names what is served, who may call it and where requests are logged.
      await until(() => gateway.output().includes("request logs:"), "the startup summary");
      expect(gateway.output()).toMatch(/\n {2}models: mock, mock\/mock\n {2}auth: off[^\n]*\n {2}request logs: logs\/requests\.jsonl\n/);
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "mock", messages: [{ role: "user", content: "ping" }] }),
      });
      expect(response.status).toBe(200);
      requestId = response.headers.get("x-request-id");
      expect((await response.json()).choices[0].message.content).toContain("ping");
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
    // The embedded default logs every request to logs/requests.jsonl under the working directory.
    const lines = readFileSync(join(cwd, "logs", "requests.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ schema: "switchyard.log/1", id: requestId, status: 200 })]);
  });

  it("check prints providers, plugins and resolved routes", async () => {
    const dir = configDir(`import { defineConfig } from "switchyard";
import { mock, openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";
export default defineConfig({
  providers: { mock: mock(), oai: openai({ baseURL: "http://127.0.0.1:9/v1" }) },
  plugins: [route({ models: { fast: [{ provider: "oai", model: "gpt-4o-mini", weight: 3 }, { provider: "mock", model: "mock" }] } }), auth({ keys: [{ id: "a", key: "sk-aaaaaaaaaaaa" }] })],
});
`);
    const result = await runCli(["check"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("oai  (openai, openai format)");
    expect(result.stdout).toMatch(/auth \[enforce: pre\][\s\S]*route: route/);
    expect(result.stdout).toContain("fast -> oai/gpt-4o-mini (weight 3), mock/mock");
  });

  it("fails with a one-line reason for an invalid config", async () => {
    const dir = configDir(`export default { providers: { mock: { kind: "mock", format: "openai" } } };\n`);
    const result = await runCli(["check"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('switchyard: Invalid config at "providers.mock.send": is required');
  });

  it("fails with a one-line reason for a config that does not compile", async () => {
    const dir = configDir(`export default {{;\n`);
    const result = await runCli(["check"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("cannot load config");
  });

  it("fails with a one-line reason for plugin errors and bad flags", async () => {
    const dir = configDir(`import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { route } from "switchyard/plugins";
export default defineConfig({ providers: { mock: mock() }, plugins: [route({ models: { x: [{ provider: "nope", model: "m" }] } })] });
`);
    const plugin = await runCli(["check"], { cwd: dir });
    expect(plugin.code).toBe(1);
    expect(plugin.stderr.trim()).toContain('Plugin "route" failed in setup: models.x[0].provider "nope" is not a configured provider');
    const flag = await runCli(["start", "--prot", "1"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr.trim().split("\n")).toHaveLength(1);
    expect(flag.stderr).toContain("--prot");
    const port = await runCli(["start", "--port", "http"]);
    expect(port.stderr.trim()).toBe('switchyard: --port must be an integer from 0 to 65535, got "http"');
    const missing = await runCli(["start", "--config", "/nowhere/switchyard.config.ts"]);
    expect(missing.stderr.trim()).toBe("switchyard: config file not found: /nowhere/switchyard.config.ts");
  });

  it("refuses an unknown --runtime in one line", async () => {
    const result = await runCli(["start", "--runtime", "rust"]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('switchyard: --runtime must be one of node, deno, bun, got "rust"');
  });

  // `bunx --bun switchyard` and `deno run -A …/bin/switchyard.mjs` run the CLI itself on that runtime.
  const bin = (name: string): string => join(ROOT, "node_modules", ".bin", name);
  it.each([
    ["bun", [bin("bun"), "--bun", "--no-install"]],
    ["deno", [bin("deno"), "run", "--allow-all", "--node-modules-dir=manual"]],
  ])("runs directly on %s, resolving a config's switchyard imports", async (_runtime, launcher) => {
    const dir = configDir(`import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { route } from "switchyard/plugins";
export default defineConfig({ providers: { mock: mock() }, plugins: [route({ models: { fast: [{ provider: "mock", model: "mock" }] } })] });
`);
    const result = await runCli(["check"], { cwd: dir, launcher, env: { DENO_NO_UPDATE_CHECK: "1" } });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("fast -> mock/mock");
    expect(result.code).toBe(0);
  });
});
