import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Runtime, type RunningGateway, startCli } from "../helpers/cli.ts";
import { until } from "../helpers/load.ts";

/**
 * `switchyard start --workers 2`: one port, two processes. Limits count once for the server (the
 * primary holds the memory store), /metrics counts every request once, reloads reach every
 * worker, a worker that dies is replaced, and SIGTERM drains every worker.
 */

const ADMIN = "sk-admin-workers-0123456789";

function project(alias = "fast"): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-workers-"));
  writeFileSync(
    join(dir, "switchyard.config.ts"),
    `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { admin, metrics, rateLimit, route } from "switchyard/plugins";
import { memoryKeyStore } from "switchyard/stores";

export default defineConfig({
  providers: { mock: mock({ chunkDelayMs: 40 }) },
  plugins: [
    route({ models: { ${JSON.stringify(alias)}: [{ provider: "mock", model: "mock" }] } }),
    rateLimit({ per: "global", rpm: 10 }),
    admin({ keys: [{ id: "ops", key: "${ADMIN}" }], store: memoryKeyStore() }),
    metrics(),
  ],
});
`,
  );
  return dir;
}

/** A new connection per request, so the kernel or the primary spreads them over the workers. */
const fresh = { connection: "close" };

async function ask(gateway: RunningGateway, model = "fast"): Promise<number> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...fresh, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function status(gateway: RunningGateway): Promise<{ config: { version: number; worker: number; workers: number } }> {
  const res = await fetch(`${gateway.url}/admin/v1/status`, { headers: { ...fresh, authorization: `Bearer ${ADMIN}` } });
  return (await res.json()) as { config: { version: number; worker: number; workers: number } };
}

/** Which workers answer, over enough fresh connections to meet each. */
async function workersSeen(gateway: RunningGateway, tries = 40): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < tries && seen.size < 2; i++) seen.add((await status(gateway)).config.worker);
  return seen;
}

/** A config whose limit never refuses, yet asks the primary's store on every request, as the bench's full chain does. */
function busyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-workers-load-"));
  writeFileSync(
    join(dir, "switchyard.config.ts"),
    `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { admin, rateLimit, route } from "switchyard/plugins";
import { memoryKeyStore } from "switchyard/stores";

export default defineConfig({
  providers: { mock: mock() },
  plugins: [
    route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
    rateLimit({ per: "global", rpm: 1_000_000_000 }),
    admin({ keys: [{ id: "ops", key: "${ADMIN}" }], store: memoryKeyStore() }),
  ],
});
`,
  );
  return dir;
}

/** One request on `agent`'s connection; a request with no answer in 15 s counts as failed (status 0) rather than hang the test. */
function onConnection(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, method, headers, timeout: 15_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", (error) => resolve({ status: 0, text: error.message }));
    });
    req.on("timeout", () => req.destroy(new Error("no answer in 15 s")));
    req.on("error", (error) => resolve({ status: 0, text: error.message }));
    req.end(body);
  });
}

/**
 * `connections` keep-alive clients, each on its own connection, sending chat requests one after
 * another for `ms`; each first asks the admin status which worker holds its connection.
 */
async function loadOnEveryConnection(gateway: RunningGateway, connections: number, ms: number): Promise<{ answered: number; failures: string[]; workers: Set<number> }> {
  const failures: string[] = [];
  const workers = new Set<number>();
  let answered = 0;
  const deadline = Date.now() + ms;
  const body = JSON.stringify({ model: "fast", messages: [{ role: "user", content: "hi" }] });
  const client = async (): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const status = await onConnection(agent, `${gateway.url}/admin/v1/status`, "GET", { authorization: `Bearer ${ADMIN}` });
      if (status.status === 200) workers.add((JSON.parse(status.text) as { config: { worker: number } }).config.worker);
      else failures.push(`status: ${status.status} ${status.text.slice(0, 200)}`);
      while (Date.now() < deadline && failures.length < 20) {
        const res = await onConnection(agent, `${gateway.url}/v1/chat/completions`, "POST", { "content-type": "application/json" }, body);
        if (res.status === 200) answered++;
        else failures.push(`${res.status} ${res.text.slice(0, 200)}`);
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return { answered, failures, workers };
}

function metricValue(text: string, sample: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

function childPids(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

let running: RunningGateway | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe("--workers 2", () => {
  it("on Node: exact limits, /metrics for the whole server, reloads on every worker, replacement, drain on SIGTERM", async () => {
    const dir = project();
    const gateway = await startCli(["--workers", "2"], { cwd: dir });
    running = gateway;
    expect(gateway.output()).toContain("workers: 2");
    expect(await workersSeen(gateway)).toEqual(new Set([1, 2]));

    // 30 requests over fresh connections, spread over both workers: exactly the 10 the limit allows pass.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await ask(gateway));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);

    // Every request counted once, whichever worker answers the scrape.
    for (let scrape = 0; scrape < 4; scrape++) {
      const text = await (await fetch(`${gateway.url}/metrics`, { headers: fresh })).text();
      expect(metricValue(text, 'switchyard_requests_total{route="fast",provider="mock",model="mock",status="200",fault="none"}')).toBe(10);
      expect(metricValue(text, 'switchyard_requests_total{route="fast",provider="",model="",status="429",fault="policy"}')).toBe(20);
      expect(metricValue(text, 'switchyard_rate_limit_rejections_total{limiter="rate-limit:global"}')).toBe(20);
      expect(metricValue(text, "switchyard_config_version")).toBe(1);
    }

    // SIGHUP to the primary reloads every worker.
    writeFileSync(join(dir, "switchyard.config.ts"), readFileSync(join(dir, "switchyard.config.ts"), "utf8").replace('"fast"', '"faster"'));
    gateway.child.kill("SIGHUP");
    await until(() => gateway.output().includes("reloaded the config (SIGHUP): version 2"), "the SIGHUP reload");
    expect(gateway.output()).toContain("2 of 2 workers");
    for (let i = 0; i < 6; i++) expect((await status(gateway)).config.version).toBe(2);
    // The limit's count survived the reload, on every worker: still refused.
    expect(await ask(gateway, "faster")).toBe(429);

    // The admin API's reload reaches every worker too.
    const reload = await fetch(`${gateway.url}/admin/v1/reload`, { method: "POST", headers: { ...fresh, authorization: `Bearer ${ADMIN}` } });
    expect(await reload.json()).toMatchObject({ ok: true, version: 3, workers: { ok: 2, total: 2 } });
    const text = await (await fetch(`${gateway.url}/metrics`, { headers: fresh })).text();
    expect(metricValue(text, "switchyard_config_version")).toBe(3);
    expect(metricValue(text, 'switchyard_config_reloads_total{result="ok"}')).toBe(2);

    // A worker killed outright is replaced, and the event logged.
    const workers = childPids(gateway.child.pid!);
    expect(workers).toHaveLength(2);
    process.kill(workers[0], "SIGKILL");
    await until(() => /worker \d \(pid \d+\) was killed by SIGKILL; starting a replacement/.test(gateway.output()), "the replacement's log line");
    await until(async () => childPids(gateway.child.pid!).length === 2 && (await workersSeen(gateway)).size === 2, "both workers to answer again");
    expect((await status(gateway)).config.version).toBe(3);

    // SIGTERM: streams in flight on both workers finish, then every worker and the primary exit 0.
    writeFileSync(join(dir, "switchyard.config.ts"), readFileSync(join(dir, "switchyard.config.ts"), "utf8").replace('rateLimit({ per: "global", rpm: 10 }),', ""));
    gateway.child.kill("SIGHUP");
    await until(() => gateway.output().includes("reloaded the config (SIGHUP): version 4"), "the reload without the limit");
    const streams = await Promise.all(
      [0, 1, 2, 3].map(() =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { ...fresh, "content-type": "application/json" },
          body: JSON.stringify({ model: "faster", stream: true, messages: [{ role: "user", content: "one two three four five six seven eight" }] }),
        }),
      ),
    );
    const pids = childPids(gateway.child.pid!);
    const code = gateway.stop("SIGTERM");
    for (const stream of streams) {
      expect(stream.status).toBe(200);
      expect(await stream.text()).toContain("[DONE]");
    }
    expect(await code).toBe(0);
    running = null;
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);

  it("stops with one line when the config fails in every worker", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchyard-workers-bad-"));
    writeFileSync(join(dir, "switchyard.config.ts"), "export default {{;\n");
    await expect(startCli(["--workers", "2"], { cwd: dir })).rejects.toThrow(/exited with 1[\s\S]*cannot load config[\s\S]*the workers could not start/);
  });

  it.each(["bun", "deno"] as Runtime[])("on %s: one port, exact limits, whole-server /metrics, --watch reaching every worker", async (runtime) => {
    const dir = project();
    const gateway = await startCli(["--workers", "2", "--watch"], { cwd: dir, runtime });
    running = gateway;
    expect(await workersSeen(gateway)).toEqual(new Set([1, 2]));
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push(await ask(gateway));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const text = await (await fetch(`${gateway.url}/metrics`, { headers: fresh })).text();
    expect(metricValue(text, 'switchyard_requests_total{route="fast",provider="mock",model="mock",status="200",fault="none"}')).toBe(10);
    expect(metricValue(text, 'switchyard_requests_total{route="fast",provider="",model="",status="429",fault="policy"}')).toBe(6);
    writeFileSync(join(dir, "switchyard.config.ts"), readFileSync(join(dir, "switchyard.config.ts"), "utf8").replace('"fast"', '"watched"'));
    await until(() => gateway.output().includes("reloaded the config (file change): version 2, ") && gateway.output().includes("2 of 2 workers"), "the watched reload");
    for (let i = 0; i < 6; i++) expect((await status(gateway)).config.version).toBe(2);
    expect(await gateway.stop()).toBe(0);
    running = null;
  }, 60_000);

  // Deno's cluster once stopped answering here: a connection handed to a worker lost its socket
  // while store answers crossed the same channel, and every later message and connection waited
  // behind it. Deno's workers now bind the port themselves, as Bun's do.
  it.each(["node", "bun", "deno"] as Runtime[])("on %s: 64 keep-alive connections at once for 3 s, spread over both workers, and it answers after", async (runtime) => {
    const gateway = await startCli(["--workers", "2"], { cwd: busyProject(), runtime });
    running = gateway;
    const load = await loadOnEveryConnection(gateway, 64, 3_000);
    expect(load.failures.slice(0, 5)).toEqual([]);
    expect(load.answered).toBeGreaterThan(64);
    expect(load.workers).toEqual(new Set([1, 2]));
    expect(await ask(gateway)).toBe(200);
    expect(await workersSeen(gateway)).toEqual(new Set([1, 2]));
    expect(await gateway.stop()).toBe(0);
    running = null;
  }, 90_000);
});
