import { Hono } from "hono";
import { GatewayError, methodNotAllowed, notFound } from "./errors.ts";
import type { Pipeline } from "./pipeline.ts";

export interface HttpState {
  readonly pipeline: Pipeline;
  /** False once shutdown has begun, so load balancers stop sending traffic. */
  isReady(): boolean;
}

const JSON_TYPE = { "content-type": "application/json" };

/** The HTTP surface. Routing only: everything after the route lives in the pipeline. */
export function createHttpApp(state: HttpState): Hono {
  const { pipeline } = state;
  const app = new Hono();

  app.post("/v1/chat/completions", (c) => pipeline.inference(c.req.raw, "chat"));
  app.post("/v1/embeddings", (c) => pipeline.inference(c.req.raw, "embeddings"));
  app.get("/v1/models", (c) => pipeline.listModels(c.req.raw, null));
  app.get("/v1/models/:model{.+}", (c) => pipeline.listModels(c.req.raw, decodeURIComponent(c.req.param("model"))));
  app.get("/health", () => new Response('{"status":"ok"}', { headers: JSON_TYPE }));
  app.get("/ready", () =>
    state.isReady()
      ? new Response('{"status":"ready"}', { headers: JSON_TYPE })
      : new Response('{"status":"shutting_down"}', { status: 503, headers: JSON_TYPE }),
  );

  const allowed: [string, string][] = [
    ["/v1/chat/completions", "POST"],
    ["/v1/embeddings", "POST"],
    ["/v1/models", "GET"],
    ["/v1/models/*", "GET"],
    ["/health", "GET"],
    ["/ready", "GET"],
  ];
  for (const [path, allow] of allowed) {
    app.all(path, (c) => methodNotAllowed(c.req.method, c.req.path, allow).toResponse());
  }

  app.notFound((c) => notFound(c.req.path).toResponse());
  app.onError((error) => {
    if (error instanceof GatewayError) return error.toResponse();
    return new GatewayError({ status: 500, message: "Internal gateway error.", code: "internal_error", fault: "gateway" }).toResponse();
  });
  return app;
}
