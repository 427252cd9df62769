import type { HttpReply } from "../helpers/http-call.ts";
import { secretsIn } from "./secrets.ts";

/**
 * What every answer must be, whatever was sent: no 5xx (the upstreams are healthy, so any 5xx is
 * the gateway's own failure on client input), a safe request id, an error body in the dialect the
 * client speaks at that path, no bytes of the request echoed raw, and no secret.
 */

export type DialectShape = "openai" | "anthropic" | "gemini";

const SAFE_ID = /^[\x21-\x7e]{1,128}$/;
/** Control characters other than tab and newline: never in an error message. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

/** The path as the gateway sees it: dot segments resolved (WHATWG URL), then escapes decoded. */
function decodedPath(path: string): string {
  let bare = path.split(/[?#]/)[0];
  try {
    bare = new URL(bare, "http://gateway.local").pathname;
  } catch {
    // Not a path a URL can hold: compared as sent.
  }
  try {
    return decodeURIComponent(bare);
  } catch {
    return bare;
  }
}

/** The dialect an answer at `path` must be in. */
export function expectedDialect(method: string, path: string, headers: Record<string, string>): DialectShape {
  const p = decodedPath(path);
  if (p === "/v1/messages" || p.startsWith("/v1/messages/")) return "anthropic";
  const modelLookup = p === "/v1/models" || p.startsWith("/v1/models/");
  // Gemini's paths: everything under /v1beta/, and `/v1/models/<model>:<method>` other than the model lookup.
  if (p.startsWith("/v1beta/") || (p.startsWith("/v1/models/") && p.includes(":") && method !== "GET")) return "gemini";
  if (modelLookup && headers["anthropic-version"] !== undefined) return "anthropic";
  return "openai";
}

/** Problems with one answer (empty when it is as it must be). */
export function problemsWith(reply: HttpReply, request: { method: string; path: string; headers: Record<string, string> }): string[] {
  const problems: string[] = [];
  if (reply.status >= 500 && !askedForTimeout(reply, request.headers)) problems.push(`status ${reply.status}`);
  const id = reply.headers["x-request-id"];
  if (typeof id !== "string" || !SAFE_ID.test(id)) problems.push(`x-request-id ${JSON.stringify(id)}`);
  const leaked = secretsIn(reply.text + JSON.stringify(reply.headers));
  if (leaked.length > 0) problems.push(`secret in the answer: ${leaked.join(", ")}`);
  if (reply.status >= 400 && request.method !== "HEAD") {
    const dialect = expectedDialect(request.method, request.path, request.headers);
    let body: unknown;
    try {
      body = JSON.parse(reply.text);
    } catch {
      problems.push(`error body is not JSON: ${reply.text.slice(0, 80)}`);
      return problems;
    }
    const message = errorMessage(body, dialect);
    if (message === null) problems.push(`error body not in the ${dialect} dialect: ${reply.text.slice(0, 200)}`);
    else if (CONTROL.test(message)) problems.push(`control bytes in the error message: ${JSON.stringify(message.slice(0, 80))}`);
    if (dialect === "anthropic" && (body as { request_id?: unknown }).request_id !== id) problems.push("anthropic error without its request_id");
  }
  return problems;
}

/**
 * A 504 the client asked for: it set `x-switchyard-timeout-ms` shorter than the upstream takes,
 * and the gateway says the upstream did not answer in that time.
 */
function askedForTimeout(reply: HttpReply, headers: Record<string, string>): boolean {
  const ms = Number(headers["x-switchyard-timeout-ms"]);
  return reply.status === 504 && Number.isFinite(ms) && ms < 1000 && /timeout/.test(reply.text);
}

function errorMessage(body: unknown, dialect: DialectShape): string | null {
  if (typeof body !== "object" || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== "object" || error === null) return null;
  if (dialect === "gemini") {
    const { code, message, status } = error as { code?: unknown; message?: unknown; status?: unknown };
    return typeof code === "number" && typeof status === "string" && typeof message === "string" ? message : null;
  }
  const { message, type } = error as { message?: unknown; type?: unknown };
  if (typeof message !== "string" || typeof type !== "string") return null;
  if (dialect === "anthropic" && (body as { type?: unknown }).type !== "error") return null;
  return message;
}

/** Problems with what a server sent back on a raw connection: each answer a non-5xx with a request id. */
export function rawProblems(text: string): string[] {
  const problems: string[] = [];
  const heads = [...text.matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/g)];
  for (const [, status, head] of heads) {
    // An interim answer (100 Continue) is the server's protocol, not an answer to the request.
    if (Number(status) < 200) continue;
    if (Number(status) >= 500) problems.push(`status ${status}`);
    if (!/^x-request-id: [\x21-\x7e]{1,128}\r?$/im.test(head)) problems.push(`status ${status} without x-request-id`);
  }
  const leaked = secretsIn(text);
  if (leaked.length > 0) problems.push(`secret in the answer: ${leaked.join(", ")}`);
  return problems;
}
