import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type Runtime, RUNTIMES, type RunningGateway, startCli, writeConfigFile } from "../helpers/cli.ts";
import { type Collector, startCollector } from "../helpers/collector.ts";
import { DATABASE_URL, dropTables, storedRecords, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/load.ts";

/**
 * "Nothing is lost on shutdown or reload", at its hardest: the signal (or the reload) comes right
 * after the answers, while every record still sits in a queue whose first write is a minute
 * away. Whatever then writes the records is the shutdown or the reload itself, and every answered
 * request must be in each sink exactly once.
 */

const N = 20;
const ADMIN_KEY = "sk-admin-stop-before-flush-0123456789";
/** No timer write can happen during a test: only close and hand-over write. */
const FLUSH_NEVER = 60_000;

interface Sinks {
  /** Relative to the config's folder, the gateway's working directory. */
  file: string;
  /** The file sink's name (a new name means no sink of the old one's name in the new config). */
  fileName?: string;
  collector?: string;
  table?: string;
  /** Also a console sink (JSON lines on stdout). */
  console?: boolean;
}

/** The config script for `sinks` in a new folder, and where `files` (relative to it) lie. */
function project(sinks: Sinks, ...files: string[]): { path: string; files: string[] } {
  const path = writeConfigFile("switchyard-stop-flush-", configSource(sinks));
  return { path, files: files.map((name) => join(dirname(path), ...name.split("/"))) };
}

function configSource(sinks: Sinks): string {
  const list = [`fileSink({ path: ${JSON.stringify(sinks.file)}, name: ${JSON.stringify(sinks.fileName ?? "file")} })`];
  if (sinks.collector !== undefined) list.push(`httpSink({ url: ${JSON.stringify(`${sinks.collector}/logs`)} })`);
  if (sinks.console === true) list.push("consoleSink()");
  if (sinks.table !== undefined) list.push(`postgresSink({ url: ${JSON.stringify(DATABASE_URL)}, table: ${JSON.stringify(sinks.table)} })`);
  return `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { admin, log, route } from "switchyard/plugins";
import { consoleSink, fileSink, httpSink, postgresSink } from "switchyard/sinks";
import { memoryKeyStore } from "switchyard/stores";
export default defineConfig({
  providers: { mock: mock({ latencyMs: 5, chunkDelayMs: 2 }) },
  plugins: [
    route({ models: { mock: [{ provider: "mock", model: "mock" }] } }),
    admin({ keys: [{ id: "ops", key: ${JSON.stringify(ADMIN_KEY)} }], store: memoryKeyStore() }),
    log({ sinks: [${list.join(", ")}], queue: { flushIntervalMs: ${FLUSH_NEVER} } }),
  ],
});
`;
}

/** One whole answer (half of them streamed to [DONE]); its request id. */
async function ask(gateway: RunningGateway, i: number): Promise<string> {
  const stream = i % 2 === 0;
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "mock", stream, messages: [{ role: "user", content: `n${i}` }] }),
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  if (stream) expect(body).toContain("[DONE]");
  const id = response.headers.get("x-request-id");
  expect(id).toMatch(/\S/);
  return id!;
}

/** N requests at once, every one answered. */
function answerAll(gateway: RunningGateway): Promise<string[]> {
  return Promise.all(Array.from({ length: N }, (_, i) => ask(gateway, i)));
}

/** The ids of the records in a JSON-lines file, in file order (none if it was never made). */
function idsInFile(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((line) => line.length > 0).map((line) => (JSON.parse(line) as { id: string }).id);
}

const sorted = (ids: readonly string[]): string[] => [...ids].sort();
const idsOf = (records: readonly unknown[]): string[] => records.map((r) => (r as { id: string }).id);

/** The ids of the log records among the JSON lines of a gateway's stdout. */
function idsInStdout(stdout: string): string[] {
  const records = stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { schema?: string; id: string });
  return idsOf(records.filter((r) => r.schema?.startsWith("switchyard.log/") === true));
}

let running: RunningGateway | null = null;
let collector: Collector | null = null;
const tables: string[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await running?.stop("SIGKILL");
  running = null;
  await collector?.close();
  collector = null;
});
afterAll(async () => {
  await dropTables(tables);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(path: string, runtime?: Runtime, args: string[] = []): Promise<RunningGateway> {
  dirs.push(dirname(path));
  running = await startCli(["--config", path, ...args], { cwd: dirname(path), runtime });
  return running;
}

async function stopped(gateway: RunningGateway): Promise<void> {
  gateway.child.kill("SIGTERM");
  expect(await gateway.exited, gateway.output()).toBe(0);
  running = null;
}

describe("SIGTERM before the first log write", () => {
  it.each(RUNTIMES)("%s: every answered request is in the file, the HTTP collector, Postgres and stdout, once", async (runtime) => {
    collector = await startCollector();
    const table = uniqueTable("stopflush");
    tables.push(table);
    const { path, files: [file] } = project({ file: "logs/requests.jsonl", collector: collector.url, table, console: true }, "logs/requests.jsonl");
    const gateway = await start(path, runtime);
    // Stdout alone: a line of stderr cannot land inside a record's line.
    let stdout = "";
    gateway.child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));

    const answered = await answerAll(gateway);
    // Nothing written yet: the shutdown is what has to write all of it.
    expect(existsSync(file)).toBe(false);
    expect(collector.requests).toBe(0);
    expect(idsInStdout(stdout)).toEqual([]);
    await stopped(gateway);

    expect(sorted(idsInFile(file))).toEqual(sorted(answered));
    expect(sorted(idsOf(collector.records("/logs")))).toEqual(sorted(answered));
    expect(sorted(idsOf(await storedRecords(table)))).toEqual(sorted(answered));
    expect(sorted(idsInStdout(stdout))).toEqual(sorted(answered));
  }, 60_000);
});

/** Answers, SIGHUP, answers on the new config, SIGTERM: both configs' records are in the file, once each. */
async function reloadThenStop(runtime: Runtime | undefined, args: string[] = []): Promise<void> {
  const { path, files: [file] } = project({ file: "requests.jsonl" }, "requests.jsonl");
  const gateway = await start(path, runtime, args);

  const before = await answerAll(gateway);
  gateway.child.kill("SIGHUP");
  await until(() => gateway.output().includes("reloaded the config (SIGHUP)"), "the SIGHUP reload");
  const after = await answerAll(gateway);
  await stopped(gateway);

  expect(sorted(idsInFile(file))).toEqual(sorted([...before, ...after]));
}

describe("a reload before the first log write", () => {
  it.each(RUNTIMES)("%s: SIGHUP, then more requests on the new config, then SIGTERM: both gateways' records are in the file, once", async (runtime) => {
    await reloadThenStop(runtime);
  }, 60_000);

  it.each(RUNTIMES)("%s: SIGTERM while the SIGHUP reload still builds: every answered request is in the file, once", async (runtime) => {
    const { path, files: [file] } = project({ file: "requests.jsonl" }, "requests.jsonl");
    const gateway = await start(path, runtime);

    const answered = await answerAll(gateway);
    gateway.child.kill("SIGHUP");
    await stopped(gateway);

    expect(sorted(idsInFile(file))).toEqual(sorted(answered));
  }, 60_000);

  it("the admin API reloads a config whose sink of the same name writes elsewhere: every record is written once, the new ones to the new file", async () => {
    const { path, files: [oldFile, newFile] } = project({ file: "old.jsonl" }, "old.jsonl", "new.jsonl");
    const gateway = await start(path);

    const before = await answerAll(gateway);
    writeFileSync(path, configSource({ file: "new.jsonl" }));
    const reload = await fetch(`${gateway.url}/admin/v1/reload`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(reload.status, await reload.text()).toBe(200);
    const after = await answerAll(gateway);
    await stopped(gateway);

    const inNew = idsInFile(newFile);
    // The old queue hands what it holds to the new queue of the sink of the same name (README,
    // "what survives a reload"): the records are not lost, and none is written twice.
    expect(sorted([...idsInFile(oldFile), ...inNew])).toEqual(sorted([...before, ...after]));
    expect(after.filter((id) => !inNew.includes(id))).toEqual([]);
  }, 60_000);

  it("a reload whose config has no sink of the old one's name: the old plugin writes what it holds to its own file as it closes", async () => {
    const { path, files: [oldFile, newFile] } = project({ file: "old.jsonl" }, "old.jsonl", "new.jsonl");
    const gateway = await start(path);

    const before = await answerAll(gateway);
    writeFileSync(path, configSource({ file: "new.jsonl", fileName: "archive" }));
    gateway.child.kill("SIGHUP");
    await until(() => gateway.output().includes("reloaded the config (SIGHUP)"), "the SIGHUP reload");
    // Written by the retired gateway's close, not by a later shutdown.
    await until(() => idsInFile(oldFile).length >= N, "the old plugin's records in its file", 10_000);
    const after = await answerAll(gateway);
    await stopped(gateway);

    expect(sorted(idsInFile(oldFile))).toEqual(sorted(before));
    expect(sorted(idsInFile(newFile))).toEqual(sorted(after));
  }, 60_000);
});

describe("--workers 2: each worker writes what it holds as the primary stops it", () => {
  it("SIGTERM right after the answers", async () => {
    const { path, files: [file] } = project({ file: "requests.jsonl" }, "requests.jsonl");
    const gateway = await start(path, undefined, ["--workers", "2"]);

    const answered = await answerAll(gateway);
    expect(existsSync(file)).toBe(false);
    await stopped(gateway);

    expect(sorted(idsInFile(file))).toEqual(sorted(answered));
  }, 60_000);

  it("SIGHUP reloads every worker, then SIGTERM", async () => {
    await reloadThenStop(undefined, ["--workers", "2"]);
  }, 60_000);
});
