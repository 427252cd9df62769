/**
 * The dialect contract as a list of checks, driven by recorded transcripts of the wire format
 * (taken from the provider's documentation, each naming its source). A community dialect runs
 * them with any test framework:
 *
 * ```ts
 * for (const check of dialectConformance(myDialect, myTranscripts)) it(check.name, check.run);
 * ```
 */
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from "../core/canonical.ts";
import type { Dialect, UpstreamErrorDetail } from "../core/dialect.ts";
import { GatewayError } from "../core/errors.ts";
import type { Usage } from "../core/types.ts";
import type { ConformanceCase } from "./counter-store-conformance.ts";

/** One recorded exchange in a dialect's wire format and the neutral forms it must map to. */
export interface DialectTranscript {
  readonly name: string;
  /** Where the wire text was taken from: the documentation page's URL. */
  readonly source: string;
  /** A client request body in the dialect, and its neutral form. */
  readonly request?: { readonly body: Record<string, unknown>; readonly neutral: CanonicalRequest };
  /**
   * A whole answer as the provider sends it, and its neutral form. `created` is not compared:
   * formats without a creation time take the time of reading.
   */
  readonly response?: { readonly text: string; readonly neutral: CanonicalResponse };
  /** An event stream as the provider sends it, and the neutral events it decodes to. */
  readonly stream?: { readonly text: string; readonly events: readonly StreamEvent[] };
  /** An error answer, and what `parseError` reads from its body. */
  readonly error?: { readonly status: number; readonly text: string; readonly detail: UpstreamErrorDetail };
}

/** A neutral request with every field at its empty value, then `fields`. */
export function neutralRequest(fields: Partial<CanonicalRequest> & { model: string }): CanonicalRequest {
  return {
    system: [],
    messages: [],
    tools: [],
    toolChoice: null,
    parallelToolCalls: null,
    maxTokens: null,
    temperature: null,
    topP: null,
    topK: null,
    stop: [],
    seed: null,
    frequencyPenalty: null,
    presencePenalty: null,
    responseFormat: null,
    reasoning: null,
    stream: false,
    user: null,
    dropped: [],
    ...fields,
  };
}

const encoder = new TextEncoder();

/** Decode `chunks` as one upstream stream: every event `push` and `end` yield, in order. */
export function decodeStream(dialect: Dialect, chunks: readonly Uint8Array[]): StreamEvent[] {
  const decoder = dialect.streamDecoder();
  const events: StreamEvent[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

/** `bytes` cut before each of `cuts` (sorted offsets). */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    if (cut <= from || cut >= bytes.length) continue;
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** A small seeded generator (mulberry32), so a failing random split can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCuts(length: number, seed: number): number[] {
  const next = random(seed);
  const count = 1 + Math.floor(next() * Math.min(40, length));
  const cuts = Array.from({ length: count }, () => 1 + Math.floor(next() * (length - 1)));
  return cuts.sort((a, b) => a - b);
}

/** What a stream says once accumulated: the blocks' contents, the finish, the final usage, errors. */
export function foldStream(events: readonly StreamEvent[]): Record<string, unknown> {
  const blocks = new Map<number, { block: unknown; text: string; args: string; thinking: string; signature: string }>();
  let start: unknown = null;
  let finish: unknown = null;
  let usage: Usage | null = null;
  let done = false;
  const errors: unknown[] = [];
  for (const e of events) {
    switch (e.type) {
      case "start":
        start = { id: e.id, model: e.model };
        if (e.usage !== null) usage = e.usage;
        break;
      case "block_start":
        blocks.set(e.index, { block: e.block, text: "", args: "", thinking: "", signature: "" });
        break;
      case "text":
        blocks.get(e.index)!.text += e.text;
        break;
      case "tool_args":
        blocks.get(e.index)!.args += e.json;
        break;
      case "thinking":
        blocks.get(e.index)!.thinking += e.text;
        break;
      case "signature":
        blocks.get(e.index)!.signature += e.signature;
        break;
      case "finish":
        finish = { reason: e.reason, stopSequence: e.stopSequence };
        break;
      case "usage":
        usage = e.usage;
        break;
      case "error":
        errors.push(e.error);
        break;
      case "done":
        done = true;
        break;
    }
  }
  return { start, blocks: [...blocks.values()], finish, usage, errors, done };
}

function finalUsage(events: readonly StreamEvent[]): Usage | null {
  return foldStream(events).usage as Usage | null;
}

/** The first difference between two JSON-like values, as a path and both sides; null when equal. */
export function difference(actual: unknown, expected: unknown, path = "$"): string | null {
  if (Object.is(actual, expected)) return null;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} items, got ${actual.length} (${JSON.stringify(actual)})`;
    for (let i = 0; i < actual.length; i++) {
      const found = difference(actual[i], expected[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (actual !== null && expected !== null && typeof actual === "object" && typeof expected === "object" && !Array.isArray(actual) && !Array.isArray(expected)) {
    const a = actual as Record<string, unknown>;
    const b = expected as Record<string, unknown>;
    // A member set to undefined is one that is absent (as in JSON).
    const keys = new Set([...Object.keys(a).filter((k) => a[k] !== undefined), ...Object.keys(b).filter((k) => b[k] !== undefined)]);
    for (const key of keys) {
      const found = difference(a[key], b[key], `${path}.${key}`);
      if (found !== null) return found;
    }
    return null;
  }
  return `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`dialect conformance: ${what}`);
}

function same(actual: unknown, expected: unknown, what: string): void {
  const found = difference(actual, expected);
  check(found === null, `${what}: ${found}`);
}

function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy = { ...value };
  delete copy[key];
  return copy;
}

/** Gateway errors every dialect must render, one of each kind the gateway raises. */
function gatewayErrors(): GatewayError[] {
  return [
    new GatewayError({ status: 400, message: "Invalid value for 'messages[0].role': must be a string.", param: "messages[0].role", code: "invalid_value" }),
    new GatewayError({ status: 401, message: "Missing or invalid API key.", code: "invalid_api_key", fault: "policy" }),
    new GatewayError({ status: 403, message: "This key may not use the model 'x'.", code: "model_not_allowed", fault: "policy" }),
    new GatewayError({ status: 404, message: "The model 'x' does not exist or you do not have access to it.", code: "model_not_found", param: "model" }),
    new GatewayError({ status: 413, message: "Request body is larger than the limit of 8388608 bytes.", code: "request_too_large" }),
    new GatewayError({ status: 429, message: "Rate limit reached: 600 requests per minute.", code: "rate_limit_exceeded", fault: "policy", headers: { "retry-after": "3" } }),
    new GatewayError({ status: 429, message: "You exceeded your daily budget.", type: "insufficient_quota", code: "insufficient_quota", fault: "policy" }),
    new GatewayError({ status: 500, message: "Internal gateway error: boom", code: "internal_error" }),
    new GatewayError({ status: 502, message: "Could not reach provider \"p\" (ECONNREFUSED).", code: "upstream_unreachable", fault: "provider", retryable: true }),
    new GatewayError({ status: 503, message: "No target is available for the model 'x' right now.", type: "api_error", code: "no_target_available", fault: "provider" }),
    new GatewayError({ status: 504, message: "Provider \"p\" did not answer in time.", type: "timeout_error", code: "upstream_timeout", fault: "provider" }),
    new GatewayError({ status: 529, message: "Provider \"p\" failed with status 529: Overloaded", type: "overloaded_error", code: "upstream_overloaded", fault: "provider" }),
  ];
}

/**
 * The checks: for each transcript, the request parses to its neutral form and survives a round
 * trip through the dialect's own encoder; the answer parses, round-trips and yields its usage
 * without a full parse; the stream decodes identically however it is chunked (every byte apart,
 * random splits, CRLF line endings), round-trips through the encoder, gives the same usage to the
 * pass-through scanner while forwarding the bytes unchanged, and never reports `done` when cut
 * before its finish; the error body parses. Then, for the dialect as a whole: every kind of gateway error
 * renders in a shape its own `parseError` reads back, and mid-stream as an event its decoder reads.
 */
export function dialectConformance(dialect: Dialect, transcripts: readonly DialectTranscript[]): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const add = (name: string, body: () => void): void => {
    cases.push({ name, run: async () => body() });
  };

  for (const t of transcripts) {
    const label = `${dialect.id} · ${t.name}`;
    const { request, response, stream, error } = t;

    if (request !== undefined) {
      add(`${label}: the request validates and parses to its neutral form`, () => {
        dialect.validate(request.body);
        same(dialect.parseRequest(request.body), request.neutral, "parseRequest");
      });
      add(`${label}: the request survives parse → encode → parse`, () => {
        const parsed = dialect.parseRequest(request.body);
        const encoded = dialect.encodeRequest(parsed, { model: parsed.model, streamUsage: false });
        for (const field of parsed.dropped) check(encoded.dropped.includes(field), `encodeRequest must report the dropped field '${field}'`);
        // A format that names the model and method in the URL sends neither in the body: bind them back, as its surface does.
        const reencoded = dialect.bindRoute?.(encoded.body, parsed.model, parsed.stream) ?? encoded.body;
        dialect.validate(reencoded);
        same(without(dialect.parseRequest(reencoded), "dropped"), without(parsed, "dropped"), "the re-parsed encoding");
      });
    }

    if (response !== undefined) {
      add(`${label}: the answer parses to its neutral form`, () => {
        same(without(dialect.parseResponse(response.text), "created"), without(response.neutral, "created"), "parseResponse");
      });
      add(`${label}: the answer survives parse → encode → parse, and usageOf reads its usage`, () => {
        const parsed = dialect.parseResponse(response.text);
        const text = dialect.encodeResponse(parsed, request?.body ?? {});
        same(without(dialect.parseResponse(text), "created"), without(parsed, "created"), "the re-parsed encoding");
        same(dialect.usageOf(response.text), response.neutral.usage, "usageOf the recorded answer");
        same(dialect.usageOf(text), response.neutral.usage, "usageOf the encoded answer");
      });
    }

    if (stream !== undefined) {
      const bytes = encoder.encode(stream.text);
      add(`${label}: the stream decodes to its neutral events`, () => {
        same(decodeStream(dialect, [bytes]), stream.events, "the events of the whole stream");
      });
      add(`${label}: the stream decodes the same whatever the chunking`, () => {
        const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
        same(decodeStream(dialect, split(bytes, everyByte)), stream.events, "one byte at a time");
        for (let seed = 1; seed <= 25; seed++) same(decodeStream(dialect, split(bytes, randomCuts(bytes.length, seed))), stream.events, `random split (seed ${seed})`);
        const crlf = encoder.encode(stream.text.replace(/\r?\n/g, "\r\n"));
        same(decodeStream(dialect, split(crlf, randomCuts(crlf.length, 99))), stream.events, "CRLF line endings");
      });
      add(`${label}: the stream survives decode → encode → decode`, () => {
        const writer = dialect.streamEncoder(request?.body ?? {});
        let text = "";
        for (const e of stream.events) text += writer.encode(e);
        // As a relay does: a clean ending only after `done`, none after an upstream error.
        const failed = stream.events.some((e) => e.type === "error");
        if (!failed && stream.events.some((e) => e.type === "done")) text += writer.end();
        const expected = foldStream(stream.events);
        const actual = foldStream(decodeStream(dialect, [encoder.encode(text)]));
        // A format whose events require counts (Anthropic's do) writes zeros for usage the source never gave.
        if (expected.usage === null) actual.usage = null;
        same(actual, expected, "the re-decoded encoding");
      });
      add(`${label}: the pass-through scanner forwards the bytes unchanged and reads the same usage`, () => {
        const scanner = dialect.scanner(false);
        const out: Uint8Array[] = [];
        for (const chunk of split(bytes, randomCuts(bytes.length, 7))) {
          const forwarded = scanner.push(chunk);
          if (forwarded !== null) out.push(forwarded);
        }
        const tail = scanner.end();
        if (tail !== null) out.push(tail);
        const joined = new Uint8Array(out.reduce((n, c) => n + c.length, 0));
        let at = 0;
        for (const chunk of out) {
          joined.set(chunk, at);
          at += chunk.length;
        }
        same(new TextDecoder().decode(joined), stream.text, "the forwarded bytes");
        same(scanner.usage, finalUsage(stream.events), "the scanner's usage");
        const upstreamError = stream.events.find((e) => e.type === "error");
        same(scanner.upstreamError, upstreamError?.type === "error" ? upstreamError.error : null, "the scanner's upstream error");
      });
      if (stream.events.some((e) => e.type === "done")) {
        add(`${label}: a stream cut before its finish never reports done`, () => {
          // Formats differ on whether a stream that reached its finish but lost its last event is
          // complete (OpenAI-compatible servers often end without [DONE]); before the finish, none is.
          const boundaries = [...stream.text.matchAll(/\r?\n\r?\n/g)].map((m) => encoder.encode(stream.text.slice(0, m.index! + m[0].length)).length);
          const finishedBy = boundaries.find((cut) => decodeStream(dialect, [bytes.subarray(0, cut)]).some((e) => e.type === "finish" || e.type === "done")) ?? bytes.length;
          const cuts = boundaries.filter((cut) => cut < finishedBy);
          for (const cut of [...cuts, ...cuts.map((c) => c + 3), Math.floor(finishedBy / 2)]) {
            if (cut >= finishedBy) continue;
            const events = decodeStream(dialect, [bytes.subarray(0, cut)]);
            check(!events.some((e) => e.type === "done"), `a stream cut at byte ${cut} of ${bytes.length} reported done`);
          }
        });
      }
    }

    if (error !== undefined) {
      add(`${label}: the error body parses`, () => {
        same(dialect.parseError(error.text), error.detail, "parseError");
      });
    }
  }

  add(`${dialect.id}: every gateway error renders in a shape its own parseError reads back`, () => {
    for (const e of gatewayErrors()) {
      const rendered = dialect.renderError(e, "req_conformance");
      check(rendered.status >= 400 && rendered.status <= 599, `status ${e.status} rendered as ${rendered.status}`);
      check(Math.floor(rendered.status / 100) === Math.floor(e.status / 100), `status ${e.status} rendered as ${rendered.status}, another class`);
      const detail = dialect.parseError(rendered.body);
      check(detail !== null, `the rendered ${e.status} does not parse: ${rendered.body}`);
      same(detail.message, e.message, `the rendered ${e.status}'s message`);
      check(detail.type !== null && detail.type.length > 0, `the rendered ${e.status} has no error type`);
    }
  });

  add(`${dialect.id}: a gateway error mid-stream is an event its decoder reads as an error`, () => {
    for (const e of gatewayErrors()) {
      const text = dialect.streamEncoder({}).error(e);
      const events = decodeStream(dialect, [encoder.encode(text)]);
      const found = events.find((event) => event.type === "error");
      check(found?.type === "error", `the stream error for ${e.status} decodes to no error event: ${text}`);
      same(found.error.message, e.message, `the stream error for ${e.status}`);
      check(!events.some((event) => event.type === "done"), `the stream error for ${e.status} decodes as a finished stream`);
    }
  });

  add(`${dialect.id}: a body with no model is refused with a 400 naming a field`, () => {
    let thrown: unknown = null;
    try {
      dialect.validate({});
    } catch (caught) {
      thrown = caught;
    }
    check(thrown instanceof GatewayError, "validate({}) must throw a GatewayError");
    check(thrown.status === 400 && thrown.param !== null, `validate({}) threw ${thrown.status} with param ${thrown.param}`);
  });

  return cases;
}
