/** A response as the cache keeps it: the bytes the client got, and who produced them. */
export interface CachedResponse {
  readonly kind: "json" | "sse";
  readonly status: number;
  readonly provider: string | null;
  readonly model: string | null;
  /** Wall-clock ms when it was stored. */
  readonly createdAt: number;
  readonly body: string;
}

interface Meta {
  v: 1;
  k: "json" | "sse";
  s: number;
  p: string | null;
  m: string | null;
  t: number;
}

/** One JSON line of metadata, then the body as it is: no escaping of a large body. */
export function encodeEntry(entry: CachedResponse): string {
  const meta: Meta = { v: 1, k: entry.kind, s: entry.status, p: entry.provider, m: entry.model, t: entry.createdAt };
  return `${JSON.stringify(meta)}\n${entry.body}`;
}

/** null for anything that is not an entry this version wrote (treated as a miss). */
export function decodeEntry(text: string): CachedResponse | null {
  const newline = text.indexOf("\n");
  if (newline < 0) return null;
  try {
    const meta = JSON.parse(text.slice(0, newline)) as Meta;
    if (meta.v !== 1 || (meta.k !== "json" && meta.k !== "sse") || typeof meta.s !== "number" || typeof meta.t !== "number") return null;
    return { kind: meta.k, status: meta.s, provider: meta.p ?? null, model: meta.m ?? null, createdAt: meta.t, body: text.slice(newline + 1) };
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();

/** Replay a stored SSE body one event per chunk, as a live stream would arrive. */
export function replayEvents(body: string): ReadableStream<Uint8Array> {
  let from = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (from >= body.length) {
          controller.close();
          return;
        }
        const boundary = body.indexOf("\n\n", from);
        const end = boundary < 0 ? body.length : boundary + 2;
        controller.enqueue(encoder.encode(body.slice(from, end)));
        from = end;
      },
    },
    { highWaterMark: 0 },
  );
}

/** The response a hit answers with. */
export function cachedResponse(entry: CachedResponse, now: number): Response {
  const headers: Record<string, string> = {
    "x-switchyard-cache": "hit",
    age: String(Math.max(0, Math.floor((now - entry.createdAt) / 1000))),
  };
  if (entry.provider !== null) headers["x-switchyard-provider"] = entry.provider;
  if (entry.model !== null) headers["x-switchyard-model"] = entry.model;
  if (entry.kind === "json") {
    headers["content-type"] = "application/json";
    return new Response(entry.body, { status: entry.status, headers });
  }
  headers["content-type"] = "text/event-stream; charset=utf-8";
  headers["cache-control"] = "no-cache";
  headers["x-accel-buffering"] = "no";
  return new Response(replayEvents(entry.body), { status: entry.status, headers });
}
