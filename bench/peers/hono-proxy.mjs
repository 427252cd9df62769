// The framework floor: a minimal Hono app on @hono/node-server that forwards chat requests to the
// upstream with fetch and returns its answer as it is. What a Hono-based gateway costs before it
// does any work.
// Run: node bench/peers/hono-proxy.mjs --upstream http://127.0.0.1:PORT --port 0
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "0" }, upstream: { type: "string" } } });
const app = new Hono();
app.post("/v1/chat/completions", async (c) => {
  const answer = await fetch(`${values.upstream}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-upstream-bench" },
    body: await c.req.text(),
  });
  return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.headers.get("content-type") ?? "application/json" } });
});
const server = serve({ fetch: app.fetch, port: Number(values.port), hostname: "127.0.0.1" }, (info) => console.log(`listening on http://127.0.0.1:${info.port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
