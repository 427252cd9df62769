import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpCall } from "../helpers/http-call.ts";
import { dropTables, query, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/redis-server.ts";
import { type FuzzGateway, startFuzzGateway } from "../fuzz/gateway.ts";
import { type LoadResult, loadFor, type Services, startServices } from "./outage.ts";
import { TEAM_KEY } from "../fuzz/secrets.ts";

/**
 * Redis killed and Postgres made unreachable while four clients keep sending chat (fresh and
 * cached), streams, Anthropic messages and embeddings through rate limits, a team budget and the
 * cache on that Redis, logged to a file and to Postgres. The policies: the limits and the budget
 * fail open, the cache is skipped, and the log queue holds records and retries the Postgres
 * write (within its bound: 4096 records, 200 tries here, so a slow machine does not run out of
 * them) until the database is back. So no answer is a 5xx, every answered request's record
 * reaches Postgres after recovery, once, and once Redis is back the cache answers again and the
 * budget counts again.
 */

const OUTAGE_MS = 2500;
const LOG_QUEUE = { flushIntervalMs: 200, writeTimeoutMs: 2000, retries: 200, backoff: { baseMs: 100, maxMs: 400 } };

describe("Redis and Postgres fail under load", () => {
  let services: Services;
  let target: FuzzGateway;
  const table = uniqueTable("fault");

  beforeAll(async () => {
    services = await startServices();
    target = await startFuzzGateway("node", { redisUrl: services.redisUrl, storePrefix: `fault-${process.pid}:`, postgres: { url: services.databaseUrl, table }, logQueue: LOG_QUEUE });
  });

  afterAll(async () => {
    if (target?.gateway.child.exitCode !== null) console.log(`gateway exited:\n${target?.gateway.output().slice(-4000)}`);
    await target?.close();
    await services?.close();
    await dropTables([table]);
  });

  /** The request ids the first test saw answered, for the Postgres check. */
  let answered = new Set<string>();
  const rows = () => query((sql) => sql<{ request_id: string }[]>`select request_id from ${sql(table)}`).catch(() => [] as { request_id: string }[]);
  const budgetSpend = async (): Promise<number> => {
    const redis = services.redis();
    const keys = await redis.keys(`fault-${process.pid}:bg:*`);
    let total = 0;
    for (const key of keys) total += Number(await redis.get(key));
    return total;
  };
  const cacheHeader = async (): Promise<string | undefined> => {
    const reply = await httpCall(target.url, { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", authorization: `Bearer ${TEAM_KEY}` }, body: JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "after recovery" }] }) });
    expect(reply.status).toBe(200);
    return reply.headers["x-switchyard-cache"] as string | undefined;
  };

  it("answers every request without a 5xx, and the file log keeps every record", async () => {
    const before = await loadFor(target.url, 800);
    await until(async () => (await budgetSpend()) > 0, "the budget to count spend in Redis");

    const during: Promise<LoadResult[]> = loadFor(target.url, OUTAGE_MS + 1500);
    await new Promise((r) => setTimeout(r, 300));
    await services.fail();
    const failedAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const recoveredAt = Date.now();
    await services.recover();
    const inOutage = await during;
    // Requests sent and answered while both services were down: their records could only be held.
    const whileDown = inOutage.filter((r) => r.sentAt >= failedAt && r.answeredAt <= recoveredAt);
    expect(whileDown.length).toBeGreaterThan(0);
    const after = await loadFor(target.url, 800);

    const all = [...before, ...inOutage, ...after];
    const failures = all.filter(({ reply }) => reply.status !== 200).map(({ path, reply }) => `${path} ${reply.status} ${reply.text.slice(0, 160)}`);
    console.log(`fault: ${before.length} requests before, ${inOutage.length} across the outage (${whileDown.length} while both services were down), ${after.length} after; not 200: ${failures.length}`);
    expect(failures).toEqual([]);
    for (const { reply } of all) expect(reply.headers["x-request-id"]).toMatch(/^req_/);

    answered = new Set(all.map(({ reply }) => reply.headers["x-request-id"] as string));
    const ids = answered;
    // And in the file sink, which never failed (its last batch may still be on its way to the file).
    const notInFile = (): string[] => {
      const logged = new Set(target.logText().trim().split("\n").map((line) => (JSON.parse(line) as { id: string }).id));
      return [...ids].filter((id) => !logged.has(id));
    };
    await until(async () => notInFile().length === 0, `${ids.size} records in the log file`, 15_000).catch(() => {});
    expect(notInFile()).toEqual([]);
  }, 90_000);

  it("writes every answered request's record to Postgres after the cut, each once", async () => {
    const ids = answered;
    expect(ids.size).toBeGreaterThan(0);
    // Every answered request is in Postgres once the queue has written what it held, and only
    // once: a batch tried again (its commit acknowledged on a connection that dropped) adds nothing.
    const missing = async (): Promise<string[]> => {
      const stored = new Set((await rows()).map((r) => r.request_id));
      return [...ids].filter((id) => !stored.has(id));
    };
    await until(async () => (await missing()).length === 0, `${ids.size} log records in Postgres`, 60_000).catch(() => {});
    expect(await missing()).toEqual([]);
    const times = new Map<string, number>();
    for (const { request_id } of await rows()) times.set(request_id, (times.get(request_id) ?? 0) + 1);
    expect([...times].filter(([, n]) => n > 1)).toEqual([]);
  }, 90_000);

  it("uses Redis again once it is back: the cache answers and the budget counts", async () => {
    // The store reconnects by itself; the first request may still find it reconnecting.
    await until(async () => (await cacheHeader()) === "hit", "a cache hit from the restarted Redis", 15_000);
    const spent = await budgetSpend();
    await httpCall(target.url, { method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", authorization: `Bearer ${TEAM_KEY}` }, body: JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "counted" }] }) });
    await until(async () => (await budgetSpend()) > spent, "the budget to count spend again", 10_000);
    expect((await httpCall(target.url, { path: "/health" })).status).toBe(200);
  }, 60_000);
});
