import { LOG_SCHEMA, type LogRecord } from "../core/log-record.ts";

/** A complete, plausible log record (a served chat request), for sink tests. */
export function sampleLogRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    schema: LOG_SCHEMA,
    id: "req_sample",
    time: "2026-01-01T00:00:00.000Z",
    surface: "chat",
    method: "POST",
    path: "/v1/chat/completions",
    principal: { id: "team-a", team: "research", tags: ["beta"] },
    requested: { model: "fast", stream: false },
    served: { provider: "openai", model: "gpt-4o-mini" },
    attempts: [
      { index: 0, provider: "openai", model: "gpt-4o-mini", outcome: "ok", status: 200, startMs: 0.4, firstByteMs: 120.5, durationMs: 120.5, errorCode: null, fault: null },
    ],
    status: 200,
    error: null,
    dropped: null,
    usage: { inputTokens: 12, outputTokens: 30, cachedTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 42 },
    costUsd: 0.0000198,
    cache: null,
    timings: { totalMs: 121.2, firstByteMs: 120.9, upstreamMs: 120.5, overheadMs: 0.7 },
    bytes: { in: 84, out: 512 },
    userAgent: "OpenAI/JS 6.0.0",
    ...overrides,
  };
}
