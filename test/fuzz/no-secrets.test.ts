import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTables, query, uniqueTable } from "../helpers/postgres.ts";
import { until } from "../helpers/redis-server.ts";
import { type FuzzGateway, startFuzzGateway } from "./gateway.ts";
import { loadFor, type Services, startServices } from "../fault/outage.ts";
import { describeStats, fuzzBytes, fuzzHttp, runs } from "./run.ts";
import { ALL_SECRETS, ANTHROPIC_KEY, CLIENT_SECRET, PROVIDER_KEY, secretsIn, TEAM_KEY, VIRTUAL_KEY } from "./secrets.ts";

/**
 * The configured secrets (two provider keys, two virtual keys, the metrics token) and a client's
 * own (a cookie, a Basic credential, keys sent as request ids), under fuzz traffic and through a
 * Redis and Postgres outage, with request and response bodies logged: none of them is in any
 * answer's body or headers, any line the gateway printed, the log file or the Postgres records.
 * The callers' secrets do not reach the providers either.
 */

const LOG_QUEUE = { flushIntervalMs: 200, writeTimeoutMs: 1000, retries: 40, backoff: { baseMs: 100, maxMs: 400 } };

describe("no secret reaches a caller or a log", () => {
  let services: Services;
  let target: FuzzGateway;
  const table = uniqueTable("secrets");
  const answers: string[] = [];

  beforeAll(async () => {
    services = await startServices();
    target = await startFuzzGateway("node", { redisUrl: services.redisUrl, storePrefix: `secrets-${process.pid}:`, postgres: { url: services.databaseUrl, table }, logBodies: true, logQueue: LOG_QUEUE });
  });

  afterAll(async () => {
    await target?.close();
    await services?.close();
    await dropTables([table]);
  });

  it("runs fuzz and fault traffic", async () => {
    const http = await fuzzHttp(target.url, runs(150), (reply) => answers.push(`${reply.status} ${JSON.stringify(reply.headers)}\n${reply.text}`));
    console.log(describeStats("secrets http", http));
    const bytes = await fuzzBytes(target.url, runs(20), (text) => answers.push(text));
    console.log(describeStats("secrets bytes", bytes));
    const during = loadFor(target.url, 2500);
    await new Promise((r) => setTimeout(r, 300));
    await services.fail();
    await new Promise((r) => setTimeout(r, 1500));
    await services.recover();
    const fault = await during;
    for (const { reply } of fault) answers.push(`${reply.status} ${JSON.stringify(reply.headers)}\n${reply.text}`);
    expect(fault.filter(({ reply }) => reply.status >= 500)).toEqual([]);
    // What the log queue held through the outage is written before the logs are read.
    const ids = fault.map(({ reply }) => reply.headers["x-request-id"] as string);
    await until(async () => {
      const stored = await query((sql) => sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)} where request_id in ${sql(ids)}`).catch(() => [{ n: 0 }]);
      return stored[0].n >= ids.length;
    }, "the outage's records in Postgres", 30_000);
  }, 120_000);

  it("finds no secret in any answer", () => {
    expect(answers.length).toBeGreaterThan(runs(150));
    const leaks = answers.filter((text) => secretsIn(text).length > 0).map((text) => `${secretsIn(text).join(", ")} in: ${text.slice(0, 300)}`);
    expect(leaks).toEqual([]);
  });

  it("finds no secret in the gateway's output, its log file or its Postgres records", async () => {
    const records = await query((sql) => sql<{ record: string }[]>`select record::text as record from ${sql(table)}`);
    expect(records.length).toBeGreaterThan(0);
    const logText = target.logText();
    expect(logText.length).toBeGreaterThan(0);
    const sources: [string, string][] = [
      ["gateway output", target.gateway.output()],
      ["log file", logText],
      ["postgres records", records.map((r) => r.record).join("\n")],
    ];
    for (const [where, text] of sources) {
      const found = ALL_SECRETS.filter((secret) => secretsIn(text).includes(secret));
      const lines = text.split("\n").filter((line) => secretsIn(line).length > 0).slice(0, 3);
      expect({ where, found, lines }).toEqual({ where, found: [], lines: [] });
    }
  });

  it("sends no caller's secret to a provider", () => {
    const calls = [...target.openaiUpstream.calls, ...target.anthropicUpstream.calls];
    // The search finds a secret where one belongs: the provider keys went to their providers.
    expect(target.openaiUpstream.calls.some((call) => secretsIn(JSON.stringify(call.headers)).includes(PROVIDER_KEY))).toBe(true);
    expect(target.anthropicUpstream.calls.some((call) => secretsIn(JSON.stringify(call.headers)).includes(ANTHROPIC_KEY))).toBe(true);
    const leaked = calls.filter((call) => [VIRTUAL_KEY, TEAM_KEY, CLIENT_SECRET].some((secret) => JSON.stringify(call.headers).includes(secret)));
    expect(leaked.map((call) => call.headers)).toEqual([]);
  });
});
