/**
 * Claude Code, the real program, through the gateway in front of an OpenAI-format upstream: its
 * Anthropic Messages requests (system blocks, 24 tools, thinking, cache_control) are translated to
 * chat completions and the answers back, tool loop included. On every runtime.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listener } from "../../runtimes/node.ts";
import { mockUpstream } from "../../testing/index.ts";
import { ROOT, RUNTIMES, type Runtime, type RunningGateway, startCli, writeConfigFile } from "../helpers/cli.ts";

const CLAUDE = join(ROOT, "node_modules", ".bin", "claude");
const VIRTUAL_KEY = "sk-virt-claude-code-0001";

function writeConfig(upstreamUrl: string): string {
  return writeConfigFile("switchyard-claude-", `import { defineConfig } from "switchyard";
import { openai } from "switchyard/providers";
import { auth, route } from "switchyard/plugins";

export default defineConfig({
  providers: { local: openai({ baseURL: ${JSON.stringify(`${upstreamUrl}/v1`)}, apiKey: "sk-upstream-key" }) },
  plugins: [
    auth({ keys: [{ id: "claude-code", key: ${JSON.stringify(VIRTUAL_KEY)} }] }),
    route({ models: { "team-model": [{ provider: "local", model: "gpt-4o-mini" }] } }),
  ],
});
`);
}

function runClaude(baseUrl: string, prompt: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), "switchyard-claude-home-"));
  return new Promise((resolve) => {
    const child = spawn(CLAUDE, ["-p", prompt, "--output-format", "json"], {
      cwd: home,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: VIRTUAL_KEY,
        // Every model Claude Code asks for is the gateway's alias.
        ANTHROPIC_MODEL: "team-model",
        ANTHROPIC_SMALL_FAST_MODEL: "team-model",
        ANTHROPIC_DEFAULT_HAIKU_MODEL: "team-model",
        ANTHROPIC_DEFAULT_SONNET_MODEL: "team-model",
        ANTHROPIC_DEFAULT_OPUS_MODEL: "team-model",
        DISABLE_TELEMETRY: "1",
        DISABLE_AUTOUPDATER: "1",
        DISABLE_ERROR_REPORTING: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(RUNTIMES)("Claude Code through the gateway on %s, in front of an OpenAI-format upstream", (runtime: Runtime) => {
  const upstream = mockUpstream();
  let upstreamServer: Listener;
  let gateway: RunningGateway;

  beforeAll(async () => {
    upstreamServer = await listen(upstream.fetch, { port: 0 });
    gateway = await startCli(["--config", writeConfig(upstreamServer.url)], { cwd: tmpdir(), runtime });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstreamServer?.close(1000);
  });

  it("completes a prompt, tool loop included", async () => {
    const run = await runClaude(gateway.url, "Say hello to the gateway");
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const result = JSON.parse(run.stdout) as { subtype: string; is_error: boolean; result: string; num_turns: number; usage: { output_tokens: number } };
    expect(result.subtype).toBe("success");
    expect(result.is_error).toBe(false);
    expect(result.result).toContain("This is a mock reply from Switchyard.");
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    // The mock called a tool on the first turn; Claude Code ran it and answered with its result.
    expect(result.num_turns).toBeGreaterThanOrEqual(2);
    const chats = upstream.calls.filter((call) => call.path === "/v1/chat/completions");
    expect(chats.length).toBeGreaterThanOrEqual(2);
    const first = chats[0].body as { model: string; stream: boolean; tools: unknown[]; messages: { role: string }[] };
    expect(first.model).toBe("gpt-4o-mini");
    expect(first.stream).toBe(true);
    expect(first.tools.length).toBeGreaterThan(5);
    expect(first.messages[0].role).toBe("system");
    const second = chats[1].body as { messages: { role: string }[] };
    expect(second.messages.some((m) => m.role === "tool")).toBe(true);
    expect(chats[0].headers.authorization).toBe("Bearer sk-upstream-key");
  });
});
