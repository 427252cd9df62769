import { Hono } from "hono";
import { GatewayError, methodNotAllowed, notFound } from "./errors.ts";
import type { Pipeline } from "./pipeline.ts";
import type { ReadyCheck, RouteHandler, RouteMethod } from "./plugin.ts";
import { unrefTimer } from "./attempt-guard.ts";

/** A route a plugin registered at setup. */
export interface ExtraRoute {
  readonly method: RouteMethod;
  readonly path: string;
  readonly handler: RouteHandler;
  /** The plugin that registered it, for error messages. */
  readonly plugin: string;
}

export interface NamedReadyCheck {
  readonly name: string;
  readonly check: ReadyCheck;
}

export interface HttpState {
  readonly pipeline: Pipeline;
  /** False once shutdown has begun, so load balancers stop sending traffic. */
  isReady(): boolean;
  readonly routes: readonly ExtraRoute[];
  readonly readyChecks: readonly NamedReadyCheck[];
}

const JSON_TYPE = { "content-type": "application/json" };
const READY_CHECK_TIMEOUT_MS = 1_000;

/** The gateway's own paths; plugins may not register these. */
export const BUILT_IN_ROUTES: readonly (readonly [path: string, method: string])[] = [
  ["/v1/chat/completions", "POST"],
  ["/v1/embeddings", "POST"],
  ["/v1/models", "GET"],
  ["/v1/models/*", "GET"],
  ["/health", "GET"],
  ["/ready", "GET"],
];

/** Why a plugin may not serve `path`, or null when it may. */
export function reservedRouteReason(method: string, path: string, taken: readonly ExtraRoute[]): string | null {
  if (!path.startsWith("/")) return `route path "${path}" must start with "/"`;
  if (path === "/v1" || path.startsWith("/v1/")) return `route path "${path}" is under /v1/, which the gateway reserves`;
  if (BUILT_IN_ROUTES.some(([p]) => p === path)) return `route path "${path}" is a built-in route`;
  const twin = taken.find((route) => route.path === path && route.method === method);
  if (twin !== undefined) return `route ${method} "${path}" is already served by plugin "${twin.plugin}"`;
  return null;
}

/** Run one check: false on `false`, a throw, or no answer within the time limit. */
function passes(check: ReadyCheck): Promise<boolean> {
  let result: boolean | Promise<boolean>;
  try {
    result = check();
  } catch {
    return Promise.resolve(false);
  }
  if (typeof result === "boolean") return Promise.resolve(result);
  return new Promise((resolve) => {
    const timer = unrefTimer(setTimeout(() => resolve(false), READY_CHECK_TIMEOUT_MS));
    Promise.resolve(result).then(
      (ok) => {
        clearTimeout(timer);
        resolve(ok === true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

async function readiness(state: HttpState): Promise<Response> {
  if (!state.isReady()) return new Response('{"status":"shutting_down"}', { status: 503, headers: JSON_TYPE });
  if (state.readyChecks.length === 0) return new Response('{"status":"ready"}', { headers: JSON_TYPE });
  const results = await Promise.all(state.readyChecks.map((c) => passes(c.check)));
  const failing = state.readyChecks.filter((_, i) => !results[i]).map((c) => c.name);
  if (failing.length === 0) return new Response('{"status":"ready"}', { headers: JSON_TYPE });
  return new Response(JSON.stringify({ status: "not_ready", failing }), { status: 503, headers: JSON_TYPE });
}

/** The HTTP surface. Routing only: everything after the route lives in the pipeline. */
export function createHttpApp(state: HttpState): Hono {
  const { pipeline } = state;
  const app = new Hono();

  app.post("/v1/chat/completions", (c) => pipeline.inference(c.req.raw, "chat"));
  app.post("/v1/embeddings", (c) => pipeline.inference(c.req.raw, "embeddings"));
  app.get("/v1/models", (c) => pipeline.listModels(c.req.raw, null));
  app.get("/v1/models/:model{.+}", (c) => pipeline.listModels(c.req.raw, decodeURIComponent(c.req.param("model"))));
  app.get("/health", () => new Response('{"status":"ok"}', { headers: JSON_TYPE }));
  app.get("/ready", () => readiness(state));
  for (const route of state.routes) {
    app.on(route.method, route.path, (c) => route.handler(c.req.raw));
  }

  const allowed = new Map<string, string>(BUILT_IN_ROUTES);
  for (const route of state.routes) {
    const methods = allowed.get(route.path);
    allowed.set(route.path, methods === undefined ? route.method : `${methods}, ${route.method}`);
  }
  for (const [path, allow] of allowed) {
    app.all(path, (c) => methodNotAllowed(c.req.method, c.req.path, allow).toResponse());
  }

  app.notFound((c) => notFound(c.req.path).toResponse());
  app.onError(errorResponse);
  return app;
}

function errorResponse(error: unknown): Response {
  if (error instanceof GatewayError) return error.toResponse();
  return new GatewayError({ status: 500, message: "Internal gateway error.", code: "internal_error", fault: "gateway" }).toResponse();
}

const CHAT_PATH = "/v1/chat/completions";

/** True when the URL's path is exactly the chat path (a query may follow), with no escapes to decode. */
function isChatPath(url: string): boolean {
  const start = url.indexOf("/", url.indexOf(":") + 4);
  if (start === -1 || !url.startsWith(CHAT_PATH, start)) return false;
  const end = start + CHAT_PATH.length;
  if (end === url.length) return true;
  const next = url.charCodeAt(end);
  return next === 63 /* ? */ || next === 35 /* # */;
}

/**
 * The app's fetch, with chat completions (nearly all traffic) handed to the pipeline without
 * the router: the handler Hono would run, without building its per-request context. Every
 * other request, and a chat path with escapes or a trailing slash, goes through Hono as before.
 */
export function fetchWithChatFastPath(app: Hono, pipeline: Pipeline): (request: Request) => Response | Promise<Response> {
  return (request) => {
    if (request.method === "POST" && isChatPath(request.url)) return pipeline.inference(request, "chat").catch(errorResponse);
    return app.fetch(request);
  };
}
