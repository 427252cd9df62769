import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildLogRecord, createGateway, definePlugin, LOG_SCHEMA, type LogRecord, type RequestContext } from "../../core/index.ts";
import { mock } from "../../providers/index.ts";
import { logLine, toJsonLines } from "../../sinks/json-lines.ts";

/** Strings that need escaping in JSON: quotes, backslashes, control characters, lone surrogates, non-ASCII. */
const text = fc.string({ unit: "binary", maxLength: 24 });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
/** Timings as records hold them (rounded to thousandths), and any other number. */
const ms = fc.oneof(fc.integer({ min: -2e12, max: 2e12 }).map((n) => n / 1000), fc.double({ noNaN: false }), fc.integer(), fc.constant(-0), fc.constantFrom(2 ** 53 / 1000, 9007199254740.993, 1e21, 0.1 + 0.2));

const attempt = fc.record({
  index: fc.nat(),
  provider: text,
  model: text,
  outcome: fc.constantFrom("pending", "ok", "error", "skipped" as const),
  status: fc.integer({ min: 0, max: 599 }),
  startMs: ms,
  firstByteMs: nullable(ms),
  durationMs: nullable(ms),
  errorCode: nullable(text),
  fault: nullable(fc.constantFrom("client", "provider", "gateway" as const)),
});

/** Records of the schema's shape, fields in the order buildLogRecord writes them. */
const record: fc.Arbitrary<LogRecord> = fc.record({
  schema: fc.constant(LOG_SCHEMA),
  id: text,
  time: text,
  surface: fc.constantFrom("chat", "messages", "embeddings" as const),
  method: text,
  path: text,
  principal: nullable(fc.record({ id: text, team: nullable(text), tags: fc.array(text, { maxLength: 3 }) })),
  requested: fc.record({ model: nullable(text), stream: fc.boolean() }),
  served: nullable(fc.record({ provider: text, model: text })),
  attempts: fc.array(attempt, { maxLength: 3 }),
  status: fc.integer({ min: 0, max: 599 }),
  error: nullable(fc.record({ code: nullable(text), type: text, fault: fc.constantFrom("client", "provider", "gateway" as const), message: text }, { requiredKeys: ["code", "type", "fault", "message"] })),
  dropped: nullable(fc.array(text, { maxLength: 3 })),
  usage: nullable(fc.record({ inputTokens: fc.nat(), outputTokens: fc.nat(), cachedTokens: fc.nat(), cacheWriteTokens: fc.nat(), reasoningTokens: fc.nat(), totalTokens: fc.nat() })),
  costUsd: nullable(fc.double()),
  cache: nullable(fc.constantFrom("hit", "miss", "bypass" as const)),
  timings: fc.record({ totalMs: ms, firstByteMs: nullable(ms), upstreamMs: ms, overheadMs: ms }),
  bytes: fc.record({ in: fc.nat(), out: nullable(fc.nat()) }),
  userAgent: nullable(text),
}) as fc.Arbitrary<LogRecord>;

describe("log lines", () => {
  it("are the text JSON.stringify gives, for any record of the schema's shape", () => {
    fc.assert(fc.property(record, (r) => {
      expect(logLine(r)).toBe(JSON.stringify(r));
    }), { numRuns: 2000 });
  });

  it("carry logged bodies after the schema's fields, as JSON.stringify does", () => {
    fc.assert(
      fc.property(record, fc.record({ text, truncated: fc.boolean() }), fc.boolean(), (r, body, both) => {
        const withBodies: LogRecord = { ...r, request: body, ...(both ? { response: body } : {}) };
        expect(logLine(withBodies)).toBe(JSON.stringify(withBodies));
      }),
      { numRuns: 300 },
    );
  });

  it("leave a record with fields outside the schema to JSON.stringify, so nothing is dropped", () => {
    const [r] = fc.sample(record, { numRuns: 1, seed: 7 });
    const extra = { ...r, region: "eu-west-1" } as LogRecord;
    expect(JSON.parse(logLine(extra)).region).toBe("eu-west-1");
    const older = { ...r, schema: "switchyard.log/0" } as unknown as LogRecord;
    expect(logLine(older)).toBe(JSON.stringify(older));
  });

  it("serialise the schema's fields themselves (nested objects keep only theirs), not through JSON.stringify", () => {
    fc.assert(
      fc.property(record, (r) => {
        const marked = { ...r, timings: { ...r.timings, extra: 1 } } as LogRecord;
        expect(logLine(marked)).toBe(JSON.stringify(r));
      }),
      { numRuns: 200 },
    );
  });

  it("stay valid JSON when a field holds a value of the wrong type", () => {
    const [r] = fc.sample(record, { numRuns: 1, seed: 3 });
    const bad = { ...r, status: "200", costUsd: undefined, userAgent: undefined } as unknown as LogRecord;
    const parsed = JSON.parse(logLine(bad));
    expect(parsed.status).toBe("200");
    expect(parsed.userAgent).toBeNull();
  });

  it("match JSON.stringify for the records the gateway builds, one line per record", async () => {
    const seen: RequestContext[] = [];
    const gateway = await createGateway({
      providers: { mock: mock() },
      plugins: [definePlugin({ name: "keep", onComplete: (ctx) => void seen.push(ctx) })],
    });
    const ask = (body: unknown) => gateway.fetch(new Request("http://gw/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json", "user-agent": 'agent "q"\n' }, body: JSON.stringify(body) }));
    await (await ask({ model: "mock/echo", messages: [{ role: "user", content: "hé \u2028 \"hi\"" }] })).text();
    await (await ask({ model: "nowhere/x", messages: [] })).text();
    await gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const records = seen.map((ctx) => buildLogRecord(ctx));
    expect(records.length).toBe(2);
    expect(records[1].error).not.toBeNull();
    expect(toJsonLines(records)).toBe(records.map((r) => JSON.stringify(r) + "\n").join(""));
  });
});
