import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningGateway, startCli } from "../helpers/cli.ts";
import { startLoad, until } from "../helpers/load.ts";

/**
 * The config script changed under load, through `--watch` and through SIGHUP: each change is
 * live within 2 s, no request fails, a broken config leaves the old one serving and is reported,
 * and no request log record is lost across the reloads.
 */

interface Settings {
  aliases: string[];
  /** The first-pick weight of provider a (b gets the rest). */
  weightA: number;
  keys: { id: string; key: string }[];
}

const LOAD_KEY = { id: "load", key: "sk-load-0123456789" };

function writeSettings(dir: string, settings: Settings | string): void {
  const text = typeof settings === "string" ? settings : `export const settings = ${JSON.stringify(settings)};\n`;
  writeFileSync(join(dir, "settings.ts"), text);
}

function project(settings: Settings): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-reload-"));
  writeSettings(dir, settings);
  writeFileSync(
    join(dir, "switchyard.config.ts"),
    `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { auth, log, metrics, route } from "switchyard/plugins";
import { fileSink } from "switchyard/sinks";
import { settings } from "./settings.ts";

const targets = [
  { provider: "a", model: "m", weight: settings.weightA },
  { provider: "b", model: "m", weight: 1 - settings.weightA },
];
export default defineConfig({
  providers: { a: mock({ latencyMs: 2 }), b: mock({ latencyMs: 2 }) },
  plugins: [
    auth({ keys: settings.keys }),
    route({ models: Object.fromEntries(settings.aliases.map((alias) => [alias, targets])) }),
    metrics(),
    log({ sinks: [fileSink({ path: "requests.jsonl" })], queue: { flushIntervalMs: 100 } }),
  ],
});
`,
  );
  return dir;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function models(gateway: RunningGateway): Promise<string[]> {
  const res = await fetch(`${gateway.url}/v1/models`, { headers: bearer(LOAD_KEY.key) });
  return ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id);
}

async function servedBy(gateway: RunningGateway): Promise<string | null> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...bearer(LOAD_KEY.key) },
    body: JSON.stringify({ model: "fast", messages: [{ role: "user", content: "who?" }] }),
  });
  await res.arrayBuffer();
  return res.headers.get("x-switchyard-provider");
}

async function keyWorks(gateway: RunningGateway, key: string): Promise<boolean> {
  const res = await fetch(`${gateway.url}/v1/models`, { headers: bearer(key) });
  await res.arrayBuffer();
  return res.status === 200;
}

let running: RunningGateway | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

/**
 * Ten reloads under load, each a different kind of change, then a broken config. `apply` makes
 * the change take effect (write and wait for the watcher, or write and send SIGHUP).
 */
async function reloadsUnderLoad(gateway: RunningGateway, dir: string, apply: () => void, trigger: string): Promise<void> {
  const load = startLoad(gateway.url, { model: "fast", messages: [{ role: "user", content: "load" }] }, bearer(LOAD_KEY.key));
  const latencies: number[] = [];
  let settings: Settings = { aliases: ["fast"], weightA: 1, keys: [LOAD_KEY] };
  const change = async (next: Settings, live: () => Promise<boolean>, what: string): Promise<void> => {
    settings = next;
    writeSettings(dir, settings);
    apply();
    latencies.push(await until(live, what, 2_000));
  };
  try {
    for (let round = 0; round < 3; round++) {
      const alias = `extra-${round}`;
      await change({ ...settings, aliases: [...settings.aliases, alias] }, async () => (await models(gateway)).includes(alias), `alias ${alias}`);
      const weightA = settings.weightA === 1 ? 0 : 1;
      await change({ ...settings, weightA }, async () => (await servedBy(gateway)) === (weightA === 1 ? "a" : "b"), `weights ${weightA}`);
      const key = { id: `new-${round}`, key: `sk-new-${round}-0123456789` };
      await change({ ...settings, keys: [...settings.keys, key] }, () => keyWorks(gateway, key.key), `key ${key.id}`);
    }
    await change({ ...settings, aliases: settings.aliases.filter((a) => a !== "extra-0") }, async () => !(await models(gateway)).includes("extra-0"), "alias removed");
    expect(latencies).toHaveLength(10);

    // A broken config: reported, counted, and the last good one keeps serving.
    writeSettings(dir, "export const settings = {{;\n");
    apply();
    await until(() => gateway.output().includes(`reload (${trigger}) failed`), "the failed reload's report");
    expect(gateway.output()).toMatch(new RegExp(`reload \\(${trigger.replace(/[()]/g, "\\$&")}\\) failed; version 11 keeps serving: cannot load config`));
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('switchyard_config_reloads_total{result="failed"} 1');
    expect(metrics).toContain('switchyard_config_reloads_total{result="ok"} 10');
    expect(metrics).toContain("switchyard_config_version 11");
    expect(await servedBy(gateway)).not.toBeNull();
  } finally {
    await load.stop();
  }
  console.log(`reload (${trigger}): ${load.statuses.length} requests under load, change live after ${latencies.join(", ")} ms`);
  expect(load.failures).toEqual([]);
  expect(load.statuses.length).toBeGreaterThan(100);

  // No record lost: every request the load made is in the log once the gateway has drained.
  expect(await gateway.stop()).toBe(0);
  running = null;
  const logged = readFileSync(join(dir, "requests.jsonl"), "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { id: string }).id);
  const loggedIds = new Set(logged);
  expect(load.ids.filter((id) => !loggedIds.has(id))).toEqual([]);
  expect(logged.length).toBe(loggedIds.size);
}

describe("reloading the config under load", () => {
  it("--watch picks up each change to the config and the files it imports", async () => {
    const dir = project({ aliases: ["fast"], weightA: 1, keys: [LOAD_KEY] });
    running = await startCli(["--watch"], { cwd: dir });
    await reloadsUnderLoad(running, dir, () => {}, "file change");
  }, 60_000);

  it("SIGHUP reloads", async () => {
    const dir = project({ aliases: ["fast"], weightA: 1, keys: [LOAD_KEY] });
    const gateway = await startCli([], { cwd: dir });
    running = gateway;
    await reloadsUnderLoad(gateway, dir, () => gateway.child.kill("SIGHUP"), "SIGHUP");
  }, 60_000);
});

describe("reloading on Deno and Bun", () => {
  it.each(["deno", "bun"] as const)("%s reloads on SIGHUP and on a file change, and keeps serving through a broken config", async (runtime) => {
    const dir = project({ aliases: ["fast"], weightA: 1, keys: [LOAD_KEY] });
    const gateway = await startCli(["--watch"], { cwd: dir, runtime });
    running = gateway;
    writeSettings(dir, { aliases: ["fast", "watched"], weightA: 1, keys: [LOAD_KEY] });
    await until(async () => (await models(gateway)).includes("watched"), "the watched change", 5_000);
    gateway.child.kill("SIGHUP");
    await until(() => gateway.output().includes("reloaded the config (SIGHUP)"), "the SIGHUP reload");
    writeSettings(dir, "export const settings = {{;\n");
    await until(() => gateway.output().includes("reload (file change) failed"), "the failed reload");
    expect(await models(gateway)).toContain("watched");
    expect(await servedBy(gateway)).toBe("a");
  }, 60_000);
});
