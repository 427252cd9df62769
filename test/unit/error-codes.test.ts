import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, errorCodeSpec, hasCode } from "../../core/error-codes.ts";
import { clientClosed, GatewayError, internalError, methodNotAllowed, modelNotFound, noTargetAvailable, notFound, payloadTooLarge } from "../../core/errors.ts";
import { networkError, timeoutError, upstreamError, UpstreamTimeout } from "../../core/upstream-errors.ts";
import { anthropic } from "../../dialects/anthropic/index.ts";
import { openai } from "../../dialects/openai/index.ts";
import { limitsUnavailable } from "../../plugins/store-policy.ts";

const root = join(import.meta.dirname, "../..");
const DOC = join(root, "docs/errors.md");
const START = "<!-- error-codes:start (generated from core/error-codes.ts by test/unit/error-codes.test.ts) -->";
const END = "<!-- error-codes:end -->";

/** Error *types* (the dialects' vocabulary), which share lines with codes but are not codes. */
const TYPES = new Set([
  "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "rate_limit_error",
  "api_error", "timeout_error", "overloaded_error", "service_unavailable_error", "billing_error",
]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every code literal the built-in code raises: on lines that set a `code`, call an error helper or record an `errorCode`. */
function raisedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of ["core", "plugins", "providers", "dialects", "runtimes"]) {
    for (const file of sources(join(root, dir))) {
      if (file.endsWith("error-codes.ts")) continue;
      readFileSync(file, "utf8").split("\n").forEach((line, i) => {
        if (!/\bcode:|badRequest\(|problem\(|errorCode = |guardError\(|codedError\(/.test(line)) return;
        const where = `${file.slice(root.length + 1)}:${i + 1}`;
        for (const match of line.matchAll(/"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)"/g)) if (!TYPES.has(match[1])) found.set(match[1], where);
        // One-word codes, where the argument position says it is one.
        for (const match of line.matchAll(/(?:\bcode: |problem\(\d+, )"([a-z0-9]+)"/g)) found.set(match[1], where);
      });
    }
  }
  return found;
}

/** The docs table, from the code table and the dialects' own renderers (so the types are what clients get). */
export function errorTable(): string {
  const rows = ["| code | status | fault | retryable | OpenAI type | Anthropic type (status) | raised by | when |", "| --- | --- | --- | --- | --- | --- | --- | --- |"];
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const error = new GatewayError({ status: spec.status, message: "x", code, fault: spec.fault });
    const o = JSON.parse(openai.renderError(error).body).error;
    const a = anthropic.renderError(error);
    const aType = JSON.parse(a.body).error.type;
    const aStatus = a.status === spec.status ? "" : ` (${a.status})`;
    const oStatus = openai.renderError(error).status === spec.status ? "" : ` (${openai.renderError(error).status})`;
    rows.push(`| \`${code}\` | ${spec.status} | ${spec.fault} | ${spec.retryable ? "yes" : "no"} | \`${o.type}\`${oStatus} | \`${aType}\`${aStatus} | ${spec.source} | ${spec.when} |`);
  }
  return rows.join("\n");
}

describe("the error code table", () => {
  it("lists every code the gateway and the built-in plugins raise", () => {
    const missing = [...raisedCodes()].filter(([code]) => errorCodeSpec(code) === undefined).map(([code, where]) => `${code} (${where})`);
    expect(missing).toEqual([]);
  });

  it("lists no code that nothing raises", () => {
    const raised = raisedCodes();
    expect(Object.keys(ERROR_CODES).filter((code) => !raised.has(code))).toEqual([]);
  });

  it("matches what the error factories build", () => {
    const provider = "p";
    const built: GatewayError[] = [
      modelNotFound("m"), notFound("/x"), methodNotAllowed("GET", "/x", "POST"), payloadTooLarge(10), clientClosed(), noTargetAvailable("m"),
      internalError("x"), timeoutError(provider, new UpstreamTimeout("idle", 5)), networkError(provider, new Error("reset")), limitsUnavailable("Rate limits"),
      upstreamError(provider, { status: 401, text: "", detail: null, retryAfter: null }),
      upstreamError(provider, { status: 529, text: "", detail: null, retryAfter: null }),
      upstreamError(provider, { status: 400, text: "", detail: null, retryAfter: null }),
    ];
    for (const error of built) {
      const spec = errorCodeSpec(error.code)!;
      expect(spec, error.code!).toBeDefined();
      expect({ code: error.code, status: error.status, fault: error.fault, retryable: error.retryable }).toEqual({ code: error.code, status: spec.status, fault: spec.fault, retryable: spec.retryable });
    }
    const upstream500 = upstreamError(provider, { status: 503, text: "", detail: null, retryAfter: null });
    expect([upstream500.code, upstream500.fault, upstream500.retryable]).toEqual(["upstream_error", ERROR_CODES.upstream_error.fault, true]);
  });

  it("hasCode compares against a checked code name", () => {
    expect(hasCode(modelNotFound("m"), "model_not_found")).toBe(true);
    expect(hasCode(null, "model_not_found")).toBe(false);
    // @ts-expect-error: a code the table does not have is a compile error
    hasCode(modelNotFound("m"), "model_not_fund");
    const code: ErrorCode = "upstream_timeout";
    expect(errorCodeSpec(code)?.status).toBe(504);
    expect(errorCodeSpec("someone_elses_code")).toBeUndefined();
  });

  it("is documented in one table in docs/errors.md, generated from the code", () => {
    const doc = readFileSync(DOC, "utf8");
    const table = errorTable();
    const begin = doc.indexOf(START);
    const end = doc.indexOf(END);
    expect(begin).toBeGreaterThan(-1);
    const current = doc.slice(begin + START.length, end).trim();
    if (process.env.UPDATE_DOCS === "1" && current !== table) {
      writeFileSync(DOC, `${doc.slice(0, begin + START.length)}\n${table}\n${doc.slice(end)}`);
      return;
    }
    expect(current, "run UPDATE_DOCS=1 npx vitest run test/unit/error-codes.test.ts").toBe(table);
  });
});
