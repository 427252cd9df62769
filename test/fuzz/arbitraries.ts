import { deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { BUILT_IN_SURFACES } from "../../core/surfaces.ts";
import { CLIENT_SECRET, PROVIDER_KEY, TEAM_KEY, VIRTUAL_KEY } from "./secrets.ts";

/**
 * Generators for what a client can send: requests on every surface (taken from the gateway's own
 * surface table, so a surface added later is fuzzed too), with bodies that are valid, nearly valid,
 * or anything at all; headers real clients and attackers send; paths; and raw byte streams.
 */

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

const MODELS = ["up/gpt-4o-mini", "claude/claude-haiku-4-5", "fast", "smart", "up/text-embedding-3-small", "nope/x", "", "up/", "/", "up/../../etc"];

/** A plausible body for each surface: what a real client sends, before mutation. */
function baseBody(surface: string, model: string, stream: boolean): Record<string, unknown> {
  switch (surface) {
    case "embeddings":
      return { model, input: ["hello", "world"] };
    case "messages":
      return { model, max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}) };
    case "count_tokens":
      return { model, messages: [{ role: "user", content: [{ type: "text", text: "count me" }] }], system: "be brief" };
    case "responses":
      return { model, input: [{ role: "user", content: "hi" }], ...(stream ? { stream } : {}) };
    case "gemini_generate":
    case "gemini_count_tokens":
      return { contents: [{ role: "user", parts: [{ text: "hi" }] }], systemInstruction: { parts: [{ text: "be brief" }] }, generationConfig: { maxOutputTokens: 16 } };
    case "gemini_embed":
      return { content: { parts: [{ text: "embed me" }] }, requests: [{ model: `models/${model}`, content: { parts: [{ text: "a" }] } }] };
    case "chat":
      return { model, messages: [{ role: "system", content: "s" }, { role: "user", content: "hi" }], ...(stream ? { stream } : {}) };
    default:
      // A surface this suite does not know yet: a model and the fields most dialects have.
      return { model, messages: [{ role: "user", content: "hi" }], input: "hi" };
  }
}

/** Strings with what breaks parsers: control characters, lone surrogates, escapes, long runs. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("\u0000", "\ud800", "\udfff", "\u202e", "%ff", "\\u0000", "../../etc/passwd", "<script>", "${jndi:x}", "__proto__", "constructor", "A".repeat(5000)),
);

const jsonLeaf = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 1e-320, true, false, null),
);

const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, jsonLeaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(nastyString, tie("value"), { maxKeys: 5 }),
})).value;

/** JSON text nested `depth` deep, inside a field of an otherwise plausible body. */
const deepText = (depth: number, open: string, close: string): string => open.repeat(depth) + close.repeat(depth);

type Mutation = (body: Record<string, unknown>) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Unchanged, so a good share of the cases go all the way through plugins, upstream and back.
  { weight: 6, arbitrary: fc.constant<Mutation>((body) => JSON.stringify(body)) },
  // One field replaced by anything, or one added.
  fc.tuple(fc.constantFrom("model", "messages", "input", "max_tokens", "stream", "tools", "system", "temperature", "n", "stop", "content", "__proto__"), anyJson).map(
    ([field, value]): Mutation => (body) => JSON.stringify({ ...body, [field]: value }),
  ),
  // A message replaced by anything.
  anyJson.map((value): Mutation => (body) => JSON.stringify({ ...body, messages: [value] })),
  // Deep nesting, around and past the depth limit.
  fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.constantFrom(["[", "]"], ['{"a":', "}"])).map(
    ([depth, [open, close]]): Mutation => (body) => {
      const inner = open === "[" ? deepText(depth, "[", "]") : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
      return JSON.stringify(body).replace(/^\{/, `{"deep":${inner},`);
    },
  ),
  // Truncated, doubled, or with trailing garbage.
  fc.nat({ max: 200 }).map((cut): Mutation => (body) => JSON.stringify(body).slice(0, cut)),
  fc.constant<Mutation>((body) => JSON.stringify(body) + JSON.stringify(body)),
  nastyString.map((tail): Mutation => (body) => JSON.stringify(body) + tail),
  // Not an object at all.
  anyJson.map((value): Mutation => () => JSON.stringify(value) ?? "null"),
  // Duplicate keys: the last one wins in JSON.parse, and must not confuse the model splice.
  fc.constant<Mutation>((body) => JSON.stringify(body).replace(/^\{/, '{"model":"nope/shadow",')),
  // Big but under or just over the body limit.
  fc.constantFrom(100_000, 300_000).map((size): Mutation => (body) => JSON.stringify({ ...body, messages: [{ role: "user", content: "x".repeat(size) }] })),
);

/** How the body's bytes are sent: plain, compressed (honestly or not), or as random bytes. */
type Encoding = { header?: string; encode: (text: string) => Uint8Array };
const encoder = new TextEncoder();
const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 16, arbitrary: fc.constant<Encoding>({ encode: (t) => encoder.encode(t) }) },
  fc.constant<Encoding>({ header: "gzip", encode: (t) => gzipSync(t) }),
  fc.constant<Encoding>({ header: "deflate", encode: (t) => deflateSync(t) }),
  fc.constantFrom("gzip", "deflate", "br", "zstd", "identity", "gzip, gzip", "x-gzip", "GZIP", "compress").map((header): Encoding => ({ header, encode: (t) => encoder.encode(t) })),
  // A gzip bomb: small on the wire, far over the body limit once decoded.
  fc.constant<Encoding>({ header: "gzip", encode: () => gzipSync(Buffer.alloc(4 * 1024 * 1024, 32)) }),
);

const rawBytes = fc.uint8Array({ maxLength: 512 });

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  fc.constantFrom(
    "application/json; charset=utf-8",
    "application/json; charset=latin1",
    "APPLICATION/JSON",
    "application/vnd.api+json",
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "",
    "*/*",
  ),
);

/** Header values node:http lets a client send (no CR, LF or NUL). */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,20}$/);

const authHeaders = fc.constantFrom<Record<string, string>>(
  { authorization: `Bearer ${VIRTUAL_KEY}` },
  { authorization: `Bearer ${VIRTUAL_KEY}` },
  { authorization: `Bearer ${VIRTUAL_KEY}` },
  { authorization: `Bearer ${VIRTUAL_KEY}` },
  { authorization: `Bearer ${TEAM_KEY}` },
  { authorization: `Bearer ${TEAM_KEY}` },
  { "x-api-key": VIRTUAL_KEY },
  { authorization: `Bearer ${PROVIDER_KEY}` },
  { authorization: "Bearer sk-wrong-key-000000000000" },
  { authorization: `Basic ${Buffer.from(`user:${CLIENT_SECRET}`).toString("base64")}` },
  { authorization: "Bearer" },
  {},
);

const extraHeaders = fc.record(
  {
    "x-request-id": fc.oneof(headerValue, fc.constantFrom(VIRTUAL_KEY, TEAM_KEY, `sk-${"x".repeat(40)}`, "req-123", "a".repeat(200))),
    "anthropic-version": fc.constantFrom("2023-06-01", "", "garbage"),
    "anthropic-beta": headerValue,
    "x-switchyard-timeout-ms": fc.oneof(fc.integer().map(String), headerValue),
    "x-switchyard-region": headerValue,
    "cache-control": fc.constantFrom("no-cache", "no-store", "max-age=0", "max-age=-1", "max-age=99999999999999999999", "garbage"),
    cookie: fc.constant(`session=${CLIENT_SECRET}`),
    origin: fc.constantFrom("https://evil.example", "null"),
    "content-length": fc.constantFrom("0", "-1", "abc", "1e3"),
  },
  { requiredKeys: [] },
);

const randomHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 4 });

/** Characters node:http allows in a request path. */
const pathChar = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const pathText = fc.string({ unit: pathChar, maxLength: 30 });

const SURFACE_PATHS = BUILT_IN_SURFACES.map((s) => s.path);
const FIXED_PATHS = ["/v1/models", "/health", "/ready", "/metrics", "/", "/v1", "/v1/"];

/** Gemini's surfaces, whose model and method are in the path: `…/models/{model}:{method}`. */
const GEMINI_METHODS: Record<string, string> = {
  generateContent: "gemini_generate",
  "streamGenerateContent?alt=sse": "gemini_generate",
  streamGenerateContent: "gemini_generate",
  countTokens: "gemini_count_tokens",
  embedContent: "gemini_embed",
  batchEmbedContents: "gemini_embed",
  nope: "gemini_generate",
};
const geminiPath: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom("/v1beta/models/", "/v1/models/"), fc.oneof(fc.constantFrom("up/gpt-4o-mini", "fast", "up%2Fgpt-4o-mini", "%ff", ""), pathText), fc.constantFrom(...Object.keys(GEMINI_METHODS)))
  .map(([prefix, model, method]) => `${prefix}${model}:${method}`);

const pathArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...SURFACE_PATHS) },
  { weight: 4, arbitrary: geminiPath },
  fc.constantFrom("/v1beta/models", "/v1beta/models/up%2Fgpt-4o-mini", "/v1beta/models/%ff", "/v1beta", "/v1beta/"),
  fc.constantFrom(...FIXED_PATHS),
  pathText.map((id) => `/v1/models/${id}`),
  fc.constantFrom("/v1/models/%ff", "/v1/models/%", "/v1/models/%2e%2e", "/v1/models/up%2Fgpt-4o-mini", "/v1/chat/%63ompletions", "/v1/%6dessages", "/v1/messages/%ff"),
  fc.tuple(fc.constantFrom(...SURFACE_PATHS, ...FIXED_PATHS), fc.constantFrom("/", "?", "?x=%ff", "//", "/..", "#", ";x")).map(([p, s]) => p + s),
  pathText.map((p) => `/${p}`),
  pathText.map((p) => `/v1/${p}`),
);

const surfaceName = (path: string): string | undefined => {
  const gemini = /:([A-Za-z]+(?:\?alt=sse)?)$/.exec(path);
  if (gemini !== null && (path.startsWith("/v1beta/models/") || path.startsWith("/v1/models/"))) return GEMINI_METHODS[gemini[1]];
  return BUILT_IN_SURFACES.find((s) => s.path === path.split("?")[0])?.name;
};

/** One HTTP request: a path, a method, headers, and a body shaped for the path's surface. */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    path: pathArb,
    method: fc.oneof({ weight: 16, arbitrary: fc.constant("POST") }, fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS")),
    model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...MODELS.slice(0, 4)) }, fc.constantFrom(...MODELS), nastyString),
    stream: fc.boolean(),
    mutate: mutation,
    encoding,
    // fc.option's freq: one case in `freq` is nil.
    contentType: fc.option(contentType, { nil: undefined, freq: 20 }),
    auth: authHeaders,
    extra: fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, extraHeaders),
    random: fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, randomHeaders),
    bytes: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, rawBytes),
  })
  .map(({ path, method, model, stream, mutate, encoding, contentType, auth, extra, random, bytes }) => {
    const headers: Record<string, string> = { ...random, ...extra, ...auth };
    if (contentType !== undefined) headers["content-type"] = contentType;
    if (encoding.header !== undefined) headers["content-encoding"] = encoding.header;
    // A content-length the client lies with is left to the raw byte streams; here node:http frames the body.
    delete headers["content-length"];
    if (method === "GET" && !path.startsWith("/v1/chat")) return { method, path, headers };
    const text = mutate(baseBody(surfaceName(path) ?? "chat", model, stream));
    return { method, path, headers, body: bytes ?? encoding.encode(text) };
  });

/** Bytes on a socket: random, or an HTTP/1.1 request bent out of shape. */
export const fuzzByteStream: fc.Arbitrary<Uint8Array> = fc.oneof(
  rawBytes,
  fc
    .record({
      method: fc.constantFrom("POST", "GET", "post", "P0ST", "POST POST", ""),
      path: fc.oneof(fc.constantFrom(...SURFACE_PATHS, "/v1/models/%ff", "*", "http://evil.example/v1/chat/completions", ""), pathText),
      version: fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", ""),
      lines: fc.array(
        fc.oneof(
          fc.constantFrom("host: x", "content-type: application/json", "transfer-encoding: chunked", "content-length: 5", "content-length: 5, 6", "transfer-encoding: gzip, chunked", "host:", " folded", ": empty", "expect: 100-continue", "connection: close"),
          fc.tuple(headerName, headerValue).map(([n, v]) => `${n}: ${v}`),
        ),
        { maxLength: 8 },
      ),
      body: fc.oneof(
        fc.constantFrom("", "0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", "zz\r\nxx\r\n", "ffffffffffffffff\r\n", '{"model":"up/gpt-4o-mini","messages":[]}', "\r\n\r\n"),
        fc.string({ maxLength: 80 }),
      ),
      lineEnd: fc.constantFrom("\r\n", "\n", "\r"),
    })
    .map(({ method, path, version, lines, body, lineEnd }) => encoder.encode(`${method} ${path} ${version}${lineEnd}${lines.join(lineEnd)}${lineEnd}${lineEnd}${body}`)),
);
