import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRAMED_BODY, readBodyText } from "../../core/body.ts";
import { listen, type Listener } from "../../runtimes/node.ts";
import { requestUrl } from "../../runtimes/node-request.ts";

/** What the handler did with the request it got, per test. */
type Inspect = (request: Request) => Promise<unknown>;

let inspect: Inspect = async () => null;
let server: Listener;

beforeAll(async () => {
  server = await listen(async (request) => {
    try {
      return Response.json({ ok: true, value: await inspect(request) });
    } catch (error) {
      return Response.json({ ok: false, error: `${(error as Error).name}: ${(error as Error).message}` });
    }
  }, { port: 0 });
});
afterAll(() => server.close(1_000));

/** Send one request; `chunked` sends the body without a Content-Length. */
function send(path: string, options: { method?: string; body?: string | Buffer; chunked?: boolean; headers?: Record<string, string> } = {}): Promise<{ ok: boolean; value?: unknown; error?: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const headers: Record<string, string | number> = { ...options.headers };
    if (body !== undefined && !options.chunked) headers["content-length"] = body.byteLength;
    const req = httpRequest({ host: "127.0.0.1", port: server.port, path, method: options.method ?? "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve(JSON.parse(text)));
    });
    req.on("error", reject);
    if (body !== undefined && options.chunked) {
      // Two writes, so the body really arrives in more than one chunk.
      req.write(body.subarray(0, 3));
      setTimeout(() => req.end(body.subarray(3)), 20);
    } else req.end(body);
  });
}

describe("node bridge request", () => {
  it("is a Request with the method, URL, headers and a live signal", async () => {
    inspect = async (r) => ({ isRequest: r instanceof Request, method: r.method, url: r.url, header: r.headers.get("x-test"), aborted: r.signal.aborted, signal: r.signal instanceof AbortSignal });
    const reply = await send("/v1/chat/completions", { body: "{}", headers: { "x-test": "yes" } });
    expect(reply).toEqual({ ok: true, value: { isRequest: true, method: "POST", url: "http://localhost/v1/chat/completions", header: "yes", aborted: false, signal: true } });
  });

  it("normalises a URL as new Request() does (dot segments, escapes, queries)", () => {
    for (const raw of ["/v1/models/../../health", "/v1/models/a%20b", "/v1/models/gpt-4.1", "/x?y=1&z", "/a//b", "/v1/a b"]) {
      expect(requestUrl(raw)).toBe(new Request(`http://localhost${raw}`).url);
    }
    expect(requestUrl(undefined)).toBe("http://localhost/");
  });

  it("reads a Content-Length body as text (UTF-8, leading BOM dropped), once", async () => {
    inspect = async (r) => {
      const text = await r.text();
      const usedAfter = r.bodyUsed;
      const again = await r.text().then(() => "read twice", (e: Error) => e.name);
      return { text, usedAfter, again };
    };
    const reply = await send("/echo", { body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Grüße 😀")]) });
    expect(reply).toEqual({ ok: true, value: { text: "Grüße 😀", usedAfter: true, again: "TypeError" } });
  });

  it("serves json() and arrayBuffer() from the same fast read", async () => {
    inspect = async (r) => r.json();
    expect(await send("/echo", { body: '{"a":[1,2]}' })).toEqual({ ok: true, value: { a: [1, 2] } });
    inspect = async (r) => Buffer.from(await r.arrayBuffer()).toString("hex");
    expect(await send("/echo", { body: "abc" })).toEqual({ ok: true, value: "616263" });
  });

  it("reads a chunked body (no Content-Length) through the body stream", async () => {
    inspect = async (r) => ({ length: r.headers.get("content-length"), isStream: r.body instanceof ReadableStream, text: await r.text() });
    expect(await send("/echo", { body: "hello world", chunked: true })).toEqual({ ok: true, value: { length: null, isStream: true, text: "hello world" } });
  });

  it("builds the real Request for other members: clone() keeps both bodies readable", async () => {
    inspect = async (r) => {
      const copy = r.clone();
      return { cache: r.cache, original: await r.text(), copy: await copy.text(), copyUrl: copy.url };
    };
    expect(await send("/echo", { body: "twice" })).toEqual({ ok: true, value: { cache: "default", original: "twice", copy: "twice", copyUrl: "http://localhost/echo" } });
  });

  it("has no body on GET", async () => {
    inspect = async (r) => ({ text: await r.text(), body: r.body });
    expect(await send("/get", { method: "GET" })).toEqual({ ok: true, value: { text: "", body: null } });
  });

  it("is marked framed, so the gateway reads a Content-Length body whole", async () => {
    inspect = async (r) => ({ framed: (r as Request & { [FRAMED_BODY]?: boolean })[FRAMED_BODY], text: await readBodyText(r, 100) });
    expect(await send("/echo", { body: '{"model":"m"}' })).toEqual({ ok: true, value: { framed: true, text: '{"model":"m"}' } });
  });
});

describe("readBodyText on a framed request", () => {
  it("reads the body whole (bytes or arrayBuffer) for a declared length within the limit, and never for one over it", async () => {
    let texts = 0;
    const framed = (length: string): Request => {
      const request = new Request("http://gateway.test/", { method: "POST", body: "0123456789", headers: { "content-length": length } });
      Object.defineProperty(request, FRAMED_BODY, { value: true });
      for (const method of ["bytes", "arrayBuffer"] as const) {
        const own = (request as unknown as Record<string, (() => Promise<unknown>) | undefined>)[method];
        if (typeof own !== "function") continue;
        const whole = own.bind(request);
        Object.defineProperty(request, method, { value: () => (texts++, whole()) });
      }
      return request;
    };
    await expect(readBodyText(framed("10"), 10)).resolves.toBe("0123456789");
    expect(texts).toBe(1);
    await expect(readBodyText(framed("11"), 10)).rejects.toMatchObject({ status: 413 });
    expect(texts).toBe(1);
  });
});
