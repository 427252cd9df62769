import { describe, expect, it, vi } from "vitest";
import { checkJsonContentType, FRAMED_BODY, parseJsonObject, readBodyText } from "../../core/body.ts";
import { GatewayError } from "../../core/errors.ts";

const encoder = new TextEncoder();

/** A body source that records how it is read and whether it was cancelled. */
function source(chunks: (string | Uint8Array)[] | "infinite", options: { failAt?: number } = {}) {
  const state = { pulls: 0, cancelled: false, cancelReason: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const index = state.pulls++;
        if (options.failAt === index) {
          controller.error(new Error("connection reset"));
          return;
        }
        if (chunks === "infinite") {
          controller.enqueue(encoder.encode("x".repeat(64)));
          return;
        }
        if (index >= chunks.length) {
          controller.close();
          return;
        }
        const chunk = chunks[index];
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      },
      cancel(reason) {
        state.cancelled = true;
        state.cancelReason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function streamedRequest(stream: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request("http://gateway.test/v1/chat/completions", { method: "POST", body: stream, duplex: "half", headers } as RequestInit);
}

async function failureOf(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error("expected a GatewayError");
}

describe("readBodyText", () => {
  it("reads a small body", async () => {
    const body = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] });
    const request = new Request("http://gateway.test/v1/chat/completions", { method: "POST", body });
    await expect(readBodyText(request, 1024)).resolves.toBe(body);
  });

  it("returns an empty string for a request without a body", async () => {
    await expect(readBodyText(new Request("http://gateway.test/v1/models"), 10)).resolves.toBe("");
  });

  it("accepts a body of exactly the limit", async () => {
    const request = new Request("http://gateway.test/", { method: "POST", body: "0123456789" });
    expect(request.headers.get("content-length")).toBeNull();
    await expect(readBodyText(request, 10)).resolves.toBe("0123456789");
    const declared = new Request("http://gateway.test/", { method: "POST", body: "0123456789", headers: { "content-length": "10" } });
    await expect(readBodyText(declared, 10)).resolves.toBe("0123456789");
  });

  it("refuses a declared content-length over the limit with a 413, without reading the body", async () => {
    const { stream, state } = source("infinite");
    const request = streamedRequest(stream, { "content-length": "1025" });
    const error = await failureOf(readBodyText(request, 1024));
    expect(error.status).toBe(413);
    expect(error.code).toBe("request_too_large");
    expect(error.message).toBe("Request body is larger than the limit of 1024 bytes.");
    expect(state.pulls).toBe(0);
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
    expect(state.pulls).toBe(0);
  });

  it("refuses a streamed body (no content-length) once it passes the limit and cancels the source", async () => {
    const { stream, state } = source("infinite");
    const request = streamedRequest(stream);
    expect(request.headers.get("content-length")).toBeNull();
    const error = await failureOf(readBodyText(request, 200));
    expect(error.status).toBe(413);
    expect(error.code).toBe("request_too_large");
    expect(error.type).toBe("invalid_request_error");
    // 64-byte chunks: the fourth chunk crosses 200 bytes; nothing past it is read.
    expect(state.pulls).toBe(4);
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });

  it("refuses a body larger than its (lying) declared content-length", async () => {
    const { stream, state } = source(["a".repeat(8), "b".repeat(8), "c".repeat(8)]);
    const error = await failureOf(readBodyText(streamedRequest(stream, { "content-length": "5" }), 10));
    expect(error.status).toBe(413);
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
  });

  it("reads a streamed body under the limit, joining chunks", async () => {
    const { stream, state } = source(['{"model":', '"gpt-4o"', "}"]);
    await expect(readBodyText(streamedRequest(stream), 100)).resolves.toBe('{"model":"gpt-4o"}');
    expect(state.cancelled).toBe(false);
  });

  it("decodes multi-byte UTF-8 characters split across chunks", async () => {
    const text = '{"content":"Grüße 😀 日本"}';
    const bytes = encoder.encode(text);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.byteLength; i += 3) chunks.push(bytes.slice(i, i + 3));
    const { stream } = source(chunks);
    await expect(readBodyText(streamedRequest(stream), 1000)).resolves.toBe(text);
  });

  it("counts the limit in bytes, not characters", async () => {
    const text = "é".repeat(6); // 12 bytes, 6 characters
    const { stream } = source([text]);
    const error = await failureOf(readBodyText(streamedRequest(stream), 10));
    expect(error.status).toBe(413);
  });

  it("ignores a non-numeric content-length and reads the body under the limit", async () => {
    const { stream } = source(["hello"]);
    await expect(readBodyText(streamedRequest(stream, { "content-length": "abc" }), 10)).resolves.toBe("hello");
  });

  it("turns a body stream failure into a 400 body_read_failed", async () => {
    const { stream } = source(["partial"], { failAt: 1 });
    const error = await failureOf(readBodyText(streamedRequest(stream), 1000));
    expect(error.status).toBe(400);
    expect(error.code).toBe("body_read_failed");
    expect(error.message).toBe("Could not read the request body.");
  });
});

describe("parseJsonObject", () => {
  function jsonError(text: string): GatewayError {
    try {
      parseJsonObject(text);
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      return error as GatewayError;
    }
    throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
  }

  it("returns the parsed object", () => {
    expect(parseJsonObject('{"model":"gpt-4o","n":2,"nested":{"a":[1]}}')).toEqual({ model: "gpt-4o", n: 2, nested: { a: [1] } });
    expect(parseJsonObject("  {}  ")).toEqual({});
  });

  it("rejects an empty body with 400 invalid_json", () => {
    const error = jsonError("");
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_json");
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBeNull();
    expect(error.message).toBe("Request body is empty; expected a JSON object.");
  });

  it("rejects invalid JSON with 400 invalid_json and the parser's detail", () => {
    for (const text of ["{", "{model: 1}", "{'a':1}", '{"a":1,}', "not json", " "]) {
      const error = jsonError(text);
      expect(error.status, text).toBe(400);
      expect(error.code, text).toBe("invalid_json");
      expect(error.message, text).toMatch(/^Request body is not valid JSON: .+/);
    }
  });

  it("rejects valid JSON that is not an object with 400 invalid_json", () => {
    for (const text of ["[]", '[{"model":"gpt-4o"}]', "null", "42", '"string"', "true"]) {
      const error = jsonError(text);
      expect(error.status, text).toBe(400);
      expect(error.code, text).toBe("invalid_json");
      expect(error.message, text).toBe("Request body must be a JSON object.");
    }
  });

  it("renders the 400 in the OpenAI error shape", async () => {
    const body = await jsonError("[]").toResponse().json();
    expect(body).toEqual({ error: { message: "Request body must be a JSON object.", type: "invalid_request_error", code: "invalid_json", param: null } });
  });
});

describe("content types, encodings and UTF-8", () => {
  const gzip = async (text: string): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
  const post = (body: BodyInit, headers: Record<string, string>) => new Request("http://gateway.test/v1/chat/completions", { method: "POST", body, headers });

  it("decodes a gzip or deflate body", async () => {
    expect(await readBodyText(post(await gzip('{"a":1}'), { "content-encoding": "gzip" }), 1000)).toBe('{"a":1}');
    const deflated = new Uint8Array(await new Response(new Blob(['{"b":2}']).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer());
    expect(await readBodyText(post(deflated, { "content-encoding": "deflate" }), 1000)).toBe('{"b":2}');
  });

  it("applies the size limit to what a compressed body decodes to (no zip bombs)", async () => {
    const bomb = await gzip(`{"x":"${"a".repeat(2_000_000)}"}`);
    expect(bomb.byteLength).toBeLessThan(10_000);
    await expect(readBodyText(post(bomb, { "content-encoding": "gzip" }), 1_000_000)).rejects.toMatchObject({ status: 413 });
  });

  it("refuses an encoding it cannot decode with 415, and a corrupt one with 400, never echoing bytes", async () => {
    await expect(readBodyText(post("x", { "content-encoding": "br" }), 1000)).rejects.toMatchObject({ status: 415, code: "unsupported_media_type" });
    const error = await readBodyText(post(Uint8Array.of(0x1f, 0x8b, 0xff, 0x00, 0x13), { "content-encoding": "gzip" }), 1000).catch((e) => e as GatewayError);
    expect(error).toMatchObject({ status: 400, code: "invalid_encoding" });
    expect((error as GatewayError).message).not.toMatch(/[\u0000-\u001f\u0080-\uffff]/);
  });

  it("refuses invalid UTF-8 with 400, streamed or whole", async () => {
    const bad = Uint8Array.of(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d);
    await expect(readBodyText(post(bad, {}), 1000)).rejects.toMatchObject({ status: 400, code: "invalid_utf8" });
    const { stream } = source([bad]);
    await expect(readBodyText(streamedRequest(stream), 1000)).rejects.toMatchObject({ status: 400, code: "invalid_utf8" });
  });

  it("decodes each whole (server-framed) body on its own: a bad one leaves nothing behind for the next", async () => {
    const framed = (bytes: Uint8Array<ArrayBuffer>): Request =>
      Object.assign(new Request("http://localhost/", { method: "POST", body: bytes, headers: { "content-length": String(bytes.byteLength) } }), { [FRAMED_BODY]: true });
    // A body that ends inside a multi-byte character, then one that is whole.
    await expect(readBodyText(framed(Uint8Array.of(0x22, 0xe2, 0x82)), 1000)).rejects.toMatchObject({ status: 400, code: "invalid_utf8" });
    expect(await readBodyText(framed(new TextEncoder().encode('"€"')), 1000)).toBe('"€"');
    expect(await readBodyText(framed(Uint8Array.of(0x41)), 1000)).toBe("A");
  });

  it("takes JSON content types only", () => {
    for (const ok of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/vnd.api+json"]) {
      expect(() => checkJsonContentType(new Headers({ "content-type": ok })), ok).not.toThrow();
    }
    for (const bad of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/jsonx"]) {
      expect(() => checkJsonContentType(new Headers({ "content-type": bad })), bad).toThrow(expect.objectContaining({ status: 415 }));
    }
    expect(() => checkJsonContentType(new Headers())).toThrow(expect.objectContaining({ status: 415 }));
  });
});
