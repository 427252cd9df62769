import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startCli } from "../helpers/cli.ts";
import { DATABASE_URL, dropTables, storedRecords, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/redis-server.ts";

const KEY = "sk-load-test-SECRET-7d3f9a1b2c";
const table = uniqueTable("shutdown");
const dir = mkdtempSync(join(tmpdir(), "switchyard-log-shutdown-"));

afterAll(async () => {
  await dropTables([table]);
  rmSync(dir, { recursive: true, force: true });
});

function fileRecords(logDir: string): { id: string }[] {
  const out: { id: string }[] = [];
  for (const name of readdirSync(logDir)) {
    for (const line of readFileSync(join(logDir, name), "utf8").split("\n")) if (line.length > 0) out.push(JSON.parse(line) as { id: string });
  }
  return out;
}

describe("SIGTERM under load", () => {
  it("every request that got a whole response has its record in the file sink and in Postgres, and no record holds the key", async () => {
    const logDir = join(dir, "logs");
    writeFileSync(join(dir, "switchyard.config.ts"), `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { auth, log, route } from "switchyard/plugins";
import { fileSink, postgresSink } from "switchyard/sinks";
export default defineConfig({
  providers: { mock: mock({ latencyMs: 5, chunkDelayMs: 2 }) },
  plugins: [
    auth({ keys: [{ id: "load", key: ${JSON.stringify(KEY)} }] }),
    route({ models: { mock: [{ provider: "mock", model: "mock" }] } }),
    log({
      sinks: [
        fileSink({ path: ${JSON.stringify(join(logDir, "requests.jsonl"))}, rotate: { maxBytes: 4 * 1024, keep: 1000 } }),
        postgresSink({ url: ${JSON.stringify(DATABASE_URL)}, table: ${JSON.stringify(table)} }),
      ],
      queue: { flushIntervalMs: 250, maxQueue: 100000 },
    }),
  ],
});
`);
    const gateway = await startCli([], { cwd: dir });
    const completed: string[] = [];
    let answered = 0;
    let signalled: () => void = () => {};
    const halfway = new Promise<void>((resolve) => (signalled = resolve));

    async function client(worker: number): Promise<void> {
      // Until the gateway refuses: a client keeps sending through the shutdown.
      for (let i = 0; ; i++) {
        try {
          const response = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
            body: JSON.stringify({ model: "mock", stream: i % 2 === 0, messages: [{ role: "user", content: `w${worker} n${i}` }] }),
          });
          const body = await response.text();
          if (response.status === 200 && (!body.startsWith("data:") || body.includes("[DONE]"))) completed.push(response.headers.get("x-request-id")!);
          if (++answered === 150) signalled();
        } catch {
          // Refused or cut once the gateway stops: such a request got no response.
          return;
        }
      }
    }

    const clients = Promise.all(Array.from({ length: 16 }, (_, w) => client(w)));
    await halfway;
    // At least one batch is in the file before the signal, so the batch the shutdown flushes
    // lands in a rotated file: the check below sees rotation and the final flush both, however
    // fast the 150 answers came (one batch alone always goes whole to one file).
    await until(async () => existsSync(logDir) && readdirSync(logDir).length > 0, "the first log batch in the file", 10_000);
    const beforeSignal = completed.length;
    gateway.child.kill("SIGTERM");
    await clients;
    expect(await gateway.exited).toBe(0);

    expect(completed.length).toBeGreaterThanOrEqual(150);
    // Requests in flight at the signal were finished, not cut.
    expect(completed.length).toBeGreaterThan(beforeSignal);
    const inFile = new Set(fileRecords(logDir).map((r) => r.id));
    const inPostgres = new Set((await storedRecords(table)).map((r) => (r as { id: string }).id));
    expect(completed.filter((id) => !inFile.has(id))).toEqual([]);
    expect(completed.filter((id) => !inPostgres.has(id))).toEqual([]);
    expect(readdirSync(logDir).length).toBeGreaterThan(1);
    const everything = readdirSync(logDir).map((name) => readFileSync(join(logDir, name), "utf8")).join("");
    expect(everything).not.toContain(KEY);
    expect(JSON.stringify([...(await storedRecords(table))])).not.toContain(KEY);
  }, 60_000);
});
