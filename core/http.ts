import { Hono } from "hono";
import { unrefTimer } from "./attempt-guard.ts";
import { requestIdFor } from "./context.ts";
import { GatewayError, internalError, methodNotAllowed, notFound } from "./errors.ts";
import type { Pipeline } from "./pipeline.ts";
import type { ReadyCheck, RouteHandler, RouteMethod } from "./plugin.ts";
import { dialectForPath, GEMINI_MODELS_SURFACE, geminiRoute, modelsSurfaceFor, type SurfaceSpec } from "./surfaces.ts";

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
  readonly surfaces: readonly SurfaceSpec[];
  /** False once shutdown has begun, so load balancers stop sending traffic. */
  isReady(): boolean;
  readonly routes: readonly ExtraRoute[];
  readonly readyChecks: readonly NamedReadyCheck[];
}

const JSON_TYPE = { "content-type": "application/json" };
const READY_CHECK_TIMEOUT_MS = 1_000;

/** The gateway's own paths besides its surfaces; plugins may not register these. */
const FIXED_ROUTES: readonly (readonly [path: string, method: string])[] = [
  ["/v1/models", "GET"],
  // GET: OpenAI's and Anthropic's model lookup; POST `{model}:{method}`: the Gemini API.
  ["/v1/models/*", "GET, POST"],
  ["/v1beta/models", "GET"],
  ["/v1beta/models/*", "GET, POST"],
  ["/health", "GET"],
  ["/ready", "GET"],
];

/** Every path the gateway serves itself, with its method. */
export function builtInRoutes(surfaces: readonly SurfaceSpec[]): (readonly [path: string, method: string])[] {
  return [...surfaces.map((surface) => [surface.path, "POST"] as const), ...FIXED_ROUTES];
}

/** Why a plugin may not serve `path`, or null when it may. */
export function reservedRouteReason(method: string, path: string, taken: readonly ExtraRoute[]): string | null {
  if (!path.startsWith("/")) return `route path "${path}" must start with "/"`;
  if (path === "/v1" || path.startsWith("/v1/")) return `route path "${path}" is under /v1/, which the gateway reserves`;
  if (path === "/v1beta" || path.startsWith("/v1beta/")) return `route path "${path}" is under /v1beta/, which the gateway reserves`;
  if (FIXED_ROUTES.some(([p]) => p === path)) return `route path "${path}" is a built-in route`;
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

function json(text: string, request: Request, status = 200): Response {
  return new Response(text, { status, headers: { "content-type": "application/json", "x-request-id": requestIdFor(request.headers) } });
}

async function readiness(state: HttpState, request: Request): Promise<Response> {
  if (!state.isReady()) return json('{"status":"shutting_down"}', request, 503);
  if (state.readyChecks.length === 0) return json('{"status":"ready"}', request);
  const results = await Promise.all(state.readyChecks.map((c) => passes(c.check)));
  const failing = state.readyChecks.filter((_, i) => !results[i]).map((c) => c.name);
  if (failing.length === 0) return json('{"status":"ready"}', request);
  return json(JSON.stringify({ status: "not_ready", failing }), request, 503);
}

/** An answer the router gives itself (unknown path, wrong method), in the dialect the path belongs to. */
function routerError(error: GatewayError, request: Request, surfaces: readonly SurfaceSpec[]): Response {
  const id = requestIdFor(request.headers);
  const rendered = dialectForPath(new URL(request.url).pathname, surfaces).renderError(error, id);
  const headers: Record<string, string> = { "content-type": "application/json", "x-request-id": id };
  if (error.headers !== undefined) Object.assign(headers, error.headers);
  return new Response(rendered.body, { status: rendered.status, headers });
}

/** The HTTP surface. Routing only: everything after the route lives in the pipeline. */
export function createHttpApp(state: HttpState): Hono {
  const { pipeline, surfaces } = state;
  const app = new Hono();

  for (const surface of surfaces) app.post(surface.path, (c) => pipeline.inference(c.req.raw, surface));
  app.get("/v1/models", (c) => pipeline.listModels(c.req.raw, modelsSurfaceFor(c.req.raw.headers), null));
  // Decoded by the pipeline, so a malformed escape is the client's 400 and is logged like any request.
  app.get("/v1/models/*", (c) => pipeline.listModels(c.req.raw, modelsSurfaceFor(c.req.raw.headers), modelPathOf(c.req.raw.url)));
  app.get("/v1beta/models", (c) => pipeline.listModels(c.req.raw, GEMINI_MODELS_SURFACE, null));
  app.get("/v1beta/models/*", (c) => pipeline.listModels(c.req.raw, GEMINI_MODELS_SURFACE, modelPathOf(c.req.raw.url, GEMINI_MODELS_PREFIX)));
  app.post("/v1beta/models/*", (c) => gemini(c.req.raw, state));
  app.post("/v1/models/*", (c) => gemini(c.req.raw, state));
  app.get("/health", (c) => json('{"status":"ok"}', c.req.raw));
  app.get("/ready", (c) => readiness(state, c.req.raw));
  for (const route of state.routes) {
    app.on(route.method, route.path, (c) => route.handler(c.req.raw));
  }

  const allowed = new Map<string, string>(builtInRoutes(surfaces));
  for (const route of state.routes) {
    const methods = allowed.get(route.path);
    allowed.set(route.path, methods === undefined ? route.method : `${methods}, ${route.method}`);
  }
  for (const [path, allow] of allowed) {
    app.all(path, (c) => routerError(methodNotAllowed(c.req.method, new URL(c.req.url).pathname, allow), c.req.raw, surfaces));
  }

  app.notFound((c) => routerError(notFound(new URL(c.req.url).pathname), c.req.raw, surfaces));
  app.onError((error, c) => routerError(isGatewayErrorLike(error) ? error : internalError("Internal gateway error.", error), c.req.raw, surfaces));
  return app;
}

/** A Gemini API request, `POST …/models/{model}:{method}`, to its surface with the path's model and stream flag. */
function gemini(request: Request, state: HttpState): Response | Promise<Response> {
  const url = new URL(request.url);
  let route;
  try {
    route = geminiRoute(url);
  } catch (error) {
    return routerError(error as GatewayError, request, state.surfaces);
  }
  if (route === null) {
    // Under /v1/models/ a POST without a Gemini method is a wrong method on OpenAI's model lookup, as before.
    const error = url.pathname.startsWith("/v1beta/") ? notFound(url.pathname) : methodNotAllowed("POST", url.pathname, "GET");
    return routerError(error, request, state.surfaces);
  }
  return state.pipeline.inference(request, route.surface, route);
}

function isGatewayErrorLike(error: unknown): error is GatewayError {
  return error instanceof Error && error.name === "GatewayError";
}

const MODELS_PREFIX = "/v1/models/";
/** Gemini names models `models/{id}` and its clients ask for them so. */
const GEMINI_MODELS_PREFIX = "/v1beta/models/";

/** The still-escaped model id after `prefix`. */
function modelPathOf(url: string, prefix = MODELS_PREFIX): string {
  const path = new URL(url).pathname;
  return path.slice(prefix.length);
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
export function fetchWithChatFastPath(app: Hono, pipeline: Pipeline, chat: SurfaceSpec, surfaces: readonly SurfaceSpec[]): (request: Request) => Response | Promise<Response> {
  return (request) => {
    if (request.method === "POST" && isChatPath(request.url)) {
      return pipeline.inference(request, chat).catch((error) => routerError(internalError("Internal gateway error.", error), request, surfaces));
    }
    return app.fetch(request);
  };
}
