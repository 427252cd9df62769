import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningGateway, type Runtime, startCli, writeConfigFile } from "../helpers/cli.ts";

/**
 * Config scripts are bundled with esbuild, whose API starts a service process that outlives the
 * build. A gateway runs for months: it must not carry that process (and its threads and memory)
 * after loading its config, nor after a reload, which must still bundle the changed config.
 */

/** Names of every process below `pid` (Linux /proc). */
function descendants(pid: number): string[] {
  const parents = new Map<number, { ppid: number; name: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), { ppid, name });
    } catch {
      // Exited while being listed.
    }
  }
  const found = new Set([pid]);
  const names: string[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const [child, { ppid, name }] of parents) {
      if (!found.has(child) && found.has(ppid)) {
        found.add(child);
        names.push(name);
        grew = true;
      }
    }
  }
  return names;
}

const config = (reply: string): string => `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
export default defineConfig({ providers: { m: mock({ reply: ${JSON.stringify(reply)} }) } });
`;

async function answer(gateway: RunningGateway): Promise<string> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m/any", messages: [{ role: "user", content: "hi" }] }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content;
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let gateway: RunningGateway | null = null;
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
});

const RUNTIMES: Runtime[] = ["node", "deno"];
describe.skipIf(process.platform !== "linux").each(RUNTIMES)("a gateway on %s keeps no config bundler running", (runtime) => {
  it("after it starts and after a reload, which still sees the changed config", async () => {
    const path = writeConfigFile("switchyard-bundler-", config("first"));
    gateway = await startCli(["--config", path], { runtime });
    expect(await answer(gateway)).toBe("first");
    expect(descendants(gateway.child.pid!)).not.toContain("esbuild");

    writeFileSync(path, config("second"));
    gateway.child.kill("SIGHUP");
    await until(async () => (await answer(gateway!)) === "second");
    expect(descendants(gateway.child.pid!)).not.toContain("esbuild");
  }, 60_000);
});
