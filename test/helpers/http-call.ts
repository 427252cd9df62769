import { request } from "node:http";

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface HttpCall {
  method?: string;
  /** Sent as given: no normalisation of escapes, dots or case. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/**
 * One HTTP/1.1 exchange with node:http, which (unlike fetch) sends the path, Host and every header
 * as given, and a body of any bytes.
 */
export function httpCall(base: string, call: HttpCall, timeoutMs = 15_000): Promise<HttpReply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const body = call.body ?? "";
    const headers: Record<string, string> = { ...call.headers };
    if (call.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
      headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    }
    const req = request(
      { host: url.hostname, port: url.port, method: call.method ?? "GET", path: call.path, headers, timeout: timeoutMs, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${call.method ?? "GET"} ${call.path} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(call.body === undefined ? undefined : body);
  });
}
