import { LOG_SCHEMA, type LogAttempt, type LogRecord } from "../core/log-record.ts";

/** A batch as JSON lines, each ending in a newline. */
export function toJsonLines(batch: readonly LogRecord[]): string {
  let text = "";
  for (const record of batch) text += logLine(record) + "\n";
  return text;
}

const q = JSON.stringify;

/** A number as JSON writes it; anything else a mistyped record holds still comes out as valid JSON. */
function num(n: number | null): string {
  if (typeof n === "number") return Number.isFinite(n) ? `${n}` : "null";
  return q(n) ?? "null";
}

/** Any value as JSON, `null` for what JSON.stringify would leave out (undefined). */
function str(s: unknown): string {
  return q(s) ?? "null";
}

function attemptJson(a: LogAttempt): string {
  return `{"index":${num(a.index)},"provider":${str(a.provider)},"model":${str(a.model)},"outcome":${str(a.outcome)},"status":${num(a.status)},"startMs":${num(a.startMs)},"firstByteMs":${num(a.firstByteMs)},"durationMs":${num(a.durationMs)},"errorCode":${str(a.errorCode)},"fault":${str(a.fault)}}`;
}

/** The fields a record carries, in schema order; records with any other field are left to JSON.stringify. */
const FIELDS = 19;

/** Whether `record` has exactly the schema's fields in the schema's order, as `buildLogRecord` makes them. */
function isPlain(record: LogRecord): boolean {
  if (record.schema !== LOG_SCHEMA) return false;
  let n = 0;
  for (const _ in record) n++;
  const optional = (record.request === undefined ? 0 : 1) + (record.response === undefined ? 0 : 1);
  return n === FIELDS + optional && Array.isArray(record.attempts);
}

/**
 * One record as JSON: the same text `JSON.stringify(record)` gives for a record `buildLogRecord`
 * made, in about half the time (the fields are known, so only their values are serialised). The
 * log line is the full chain's largest cost after the network. A record whose top level has other
 * fields goes through `JSON.stringify`; nested objects are written with the schema's fields.
 */
export function logLine(record: LogRecord): string {
  if (!isPlain(record)) return q(record);
  let attempts = "";
  const list = record.attempts;
  for (let i = 0; i < list.length; i++) attempts += (i === 0 ? "" : ",") + attemptJson(list[i]);
  const p = record.principal;
  const served = record.served;
  const u = record.usage;
  const t = record.timings;
  const principal = p === null ? "null" : `{"id":${str(p.id)},"team":${str(p.team)},"tags":${str(p.tags)}}`;
  const usage = u === null
    ? "null"
    : `{"inputTokens":${num(u.inputTokens)},"outputTokens":${num(u.outputTokens)},"cachedTokens":${num(u.cachedTokens)},"cacheWriteTokens":${num(u.cacheWriteTokens)},"reasoningTokens":${num(u.reasoningTokens)},"totalTokens":${num(u.totalTokens)}}`;
  let line = `{"schema":"${LOG_SCHEMA}","id":${str(record.id)},"time":${str(record.time)},"surface":${str(record.surface)},"method":${str(record.method)},"path":${str(record.path)},"principal":${principal},"requested":{"model":${str(record.requested.model)},"stream":${record.requested.stream === true}},"served":${served === null ? "null" : `{"provider":${str(served.provider)},"model":${str(served.model)}}`},"attempts":[${attempts}],"status":${num(record.status)},"error":${str(record.error)},"dropped":${str(record.dropped)},"usage":${usage},"costUsd":${num(record.costUsd)},"cache":${str(record.cache)},"timings":{"totalMs":${num(t.totalMs)},"firstByteMs":${num(t.firstByteMs)},"upstreamMs":${num(t.upstreamMs)},"overheadMs":${num(t.overheadMs)}},"bytes":{"in":${num(record.bytes.in)},"out":${num(record.bytes.out)}},"userAgent":${str(record.userAgent)}`;
  if (record.request !== undefined) line += `,"request":${q(record.request)}`;
  if (record.response !== undefined) line += `,"response":${q(record.response)}`;
  return line + "}";
}
