// Run by Bun from bun-idle.test.ts: a gateway in front of the given upstream, with a 1 s idle timeout.
import { createGateway } from "../../core/gateway.ts";
import { openai } from "../../providers/openai.ts";
import { bunUpstream, serve } from "../../runtimes/bun.ts";

const gateway = await createGateway({ providers: { up: openai({ baseURL: process.argv[2] }) }, upstream: bunUpstream() });
const server = await serve(gateway, { port: 0, idleTimeoutSeconds: 1 });
console.log(`listening on ${server.url}`);
