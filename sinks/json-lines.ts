import { LOG_SCHEMA, type LogAttempt, type LogRecord } from "../core/log-record.ts";

/** A batch as JSON lines, each ending in a newline. */
export function toJsonLines(batch: readonly LogRecord[]): string {
  let text = "";
  for (const record of batch) text += logLine(record) + "\n";
  return text;
}

const q = JSON.stringify;

/** ".001" … ".999" with trailing zeros dropped, and "" for 0: the decimals of a millisecond figure. */
const DECIMALS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? "" : `.${String(i).padStart(3, "0").replace(/0+$/, "")}`));
const LARGEST_EXACT = 2 ** 53;

/**
 * A number as JSON writes it; anything else a mistyped record holds still comes out as valid JSON.
 * Timings are rounded to thousandths: such a number is written from its integer thousandths, about
 * three times faster than the engine's shortest-decimal conversion (a record has eight of them).
 * A number is taken that way only when it is exactly the double nearest to its thousandths, for
 * which the shortest decimal is those thousandths with trailing zeros dropped.
 */
function num(n: number | null): string {
  if (typeof n !== "number") return q(n) ?? "null";
  const thousandths = Math.round(n * 1000);
  if (thousandths / 1000 !== n || thousandths >= LARGEST_EXACT || thousandths <= -LARGEST_EXACT) return Number.isFinite(n) ? `${n}` : "null";
  if (thousandths === 0) return "0";
  const magnitude = thousandths < 0 ? -thousandths : thousandths;
  const decimals = magnitude % 1000;
  return `${thousandths < 0 ? "-" : ""}${(magnitude - decimals) / 1000}${DECIMALS[decimals]}`;
}

/** Any value as JSON, `null` for what JSON.stringify would leave out (undefined). */
function str(s: unknown): string {
  return q(s) ?? "null";
}

/** Quoted forms of the short strings records repeat (providers, models, paths, teams …). */
const quotedCache = new Map<string, string>();
const QUOTED_CACHE_SIZE = 512;
const QUOTED_CACHE_LENGTH = 80;

/** `str` for a field whose values recur from record to record: looked up rather than escaped again. */
function common(s: unknown): string {
  if (typeof s !== "string" || s.length > QUOTED_CACHE_LENGTH) return str(s);
  let quoted = quotedCache.get(s);
  if (quoted === undefined) {
    quoted = q(s);
    if (quotedCache.size >= QUOTED_CACHE_SIZE) quotedCache.clear();
    quotedCache.set(s, quoted);
  }
  return quoted;
}

function attemptJson(a: LogAttempt): string {
  return `{"index":${num(a.index)},"provider":${common(a.provider)},"model":${common(a.model)},"outcome":${common(a.outcome)},"status":${num(a.status)},"startMs":${num(a.startMs)},"firstByteMs":${num(a.firstByteMs)},"durationMs":${num(a.durationMs)},"errorCode":${common(a.errorCode)},"fault":${common(a.fault)}}`;
}

/** The fields a record carries, in schema order; records with any other field are left to JSON.stringify. */
const FIELDS = 19;

/**
 * Whether `record` has the schema's version and as many top-level fields as the schema (a record
 * with any extra field has more). The line is written in schema order, the order `buildLogRecord`
 * makes them in.
 */
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
  const principal = p === null ? "null" : `{"id":${common(p.id)},"team":${common(p.team)},"tags":${str(p.tags)}}`;
  const usage = u === null
    ? "null"
    : `{"inputTokens":${num(u.inputTokens)},"outputTokens":${num(u.outputTokens)},"cachedTokens":${num(u.cachedTokens)},"cacheWriteTokens":${num(u.cacheWriteTokens)},"reasoningTokens":${num(u.reasoningTokens)},"totalTokens":${num(u.totalTokens)}}`;
  let line = `{"schema":"${LOG_SCHEMA}","id":${str(record.id)},"time":${str(record.time)},"surface":${common(record.surface)},"method":${common(record.method)},"path":${common(record.path)},"principal":${principal},"requested":{"model":${common(record.requested.model)},"stream":${record.requested.stream === true}},"served":${served === null ? "null" : `{"provider":${common(served.provider)},"model":${common(served.model)}}`},"attempts":[${attempts}],"status":${num(record.status)},"error":${str(record.error)},"dropped":${str(record.dropped)},"usage":${usage},"costUsd":${num(record.costUsd)},"cache":${common(record.cache)},"timings":{"totalMs":${num(t.totalMs)},"firstByteMs":${num(t.firstByteMs)},"upstreamMs":${num(t.upstreamMs)},"overheadMs":${num(t.overheadMs)}},"bytes":{"in":${num(record.bytes.in)},"out":${num(record.bytes.out)}},"userAgent":${common(record.userAgent)}`;
  if (record.request !== undefined) line += `,"request":${q(record.request)}`;
  if (record.response !== undefined) line += `,"response":${q(record.response)}`;
  return line + "}";
}
