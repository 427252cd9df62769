import type { LogRecord } from "../core/log-record.ts";
import type { LogSink } from "../core/log-sink.ts";
import { toJsonLines } from "./json-lines.ts";

export interface HttpSinkOptions {
  /** The collector's endpoint; each batch is one POST. */
  url: string;
  /** Sent with every POST (an `authorization` for the collector, say). */
  headers?: Record<string, string>;
  /** `ndjson` (default): one record per line; `json`: one JSON array. */
  format?: "json" | "ndjson";
  /** Compress each body with gzip (`content-encoding: gzip`). Default false. */
  gzip?: boolean;
  /** Default `http`. */
  name?: string;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

async function gzipped(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "the collector";
  }
}

/**
 * Batches POSTed to any HTTP collector (Vector, Fluent Bit, Logstash, a SIEM's ingest endpoint),
 * as NDJSON or a JSON array, gzip optional. Web `fetch` and `CompressionStream` only, so it runs on
 * Node, Deno and Bun. A non-2xx answer fails the write (the queue retries it).
 */
export function httpSink(options: HttpSinkOptions): LogSink {
  if (!options || typeof options.url !== "string") throw new TypeError("httpSink: options.url is required");
  new URL(options.url);
  const format = options.format ?? "ndjson";
  if (format !== "json" && format !== "ndjson") throw new TypeError('httpSink: options.format must be "json" or "ndjson"');
  const gzip = options.gzip === true;
  const send = options.fetch ?? fetch;
  const where = describe(options.url);
  const headers: Record<string, string> = {
    ...options.headers,
    "content-type": format === "json" ? "application/json" : "application/x-ndjson",
  };
  if (gzip) headers["content-encoding"] = "gzip";

  return {
    name: options.name ?? "http",
    target: where,
    async write(batch: readonly LogRecord[], signal: AbortSignal) {
      if (batch.length === 0) return;
      const text = format === "json" ? JSON.stringify(batch) : toJsonLines(batch);
      const body = gzip ? await gzipped(text) : text;
      const response = await send(options.url, { method: "POST", headers, body, signal });
      // Read to the end so the connection can be reused.
      await response.arrayBuffer().catch(() => {});
      if (!response.ok) throw new Error(`httpSink: ${where} answered ${response.status}`);
    },
  };
}
