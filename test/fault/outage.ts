import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { httpCall, type HttpReply } from "../helpers/http-call.ts";
import { DATABASE_URL } from "../helpers/postgres.ts";
import { freePort, startRedis, stopRedis } from "../helpers/redis-server.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { TEAM_KEY, VIRTUAL_KEY } from "../fuzz/secrets.ts";

/**
 * The shared services a gateway depends on, made to fail on demand without touching the ones other
 * test runs use: a redis-server of this suite's own (killed with SIGKILL and started again on the
 * same port), and a TCP proxy in front of the shared Postgres (every connection cut, new ones
 * refused, then accepted again).
 */
export interface Services {
  readonly redisUrl: string;
  /** The shared database's URL, through the proxy. */
  readonly databaseUrl: string;
  /** Redis killed and Postgres unreachable. */
  fail(): Promise<void>;
  /** Redis started again on its port, Postgres reachable again. */
  recover(): Promise<void>;
  redis(): Redis;
  close(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const children: ChildProcess[] = [];
  const port = await freePort();
  let redisChild = await startRedis(port, children);
  const target = new URL(DATABASE_URL);
  const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(DATABASE_URL);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const clients: Redis[] = [];
  return {
    redisUrl: `redis://127.0.0.1:${port}`,
    databaseUrl: viaProxy.toString(),
    async fail() {
      await Promise.all([stopRedis(redisChild), proxy.stop()]);
    },
    async recover() {
      redisChild = await startRedis(port, children);
      await proxy.start();
    },
    redis() {
      const client = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1 });
      // The test's own reader: an outage it caused is no error of its own.
      client.on("error", () => {});
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) client.disconnect();
      await proxy.close();
      for (const child of children) await stopRedis(child);
    },
  };
}

/** One request of the mixed load: which surface, and the request. */
interface LoadCase {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = { "content-type": "application/json" };
const alice = { ...JSON_TYPE, authorization: `Bearer ${VIRTUAL_KEY}` };
const team = { ...JSON_TYPE, authorization: `Bearer ${TEAM_KEY}` };

/** Chat (fresh and repeated, so the cache has hits to give), a stream, Anthropic messages and embeddings, from a key with a team budget and one without. */
function loadCase(i: number): LoadCase {
  switch (i % 5) {
    case 0:
      return { path: "/v1/chat/completions", headers: team, body: JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: `fresh ${i}` }] }) };
    case 1:
      return { path: "/v1/chat/completions", headers: team, body: JSON.stringify({ model: "up/gpt-4o-mini", messages: [{ role: "user", content: "the same question" }] }) };
    case 2:
      return { path: "/v1/chat/completions", headers: alice, body: JSON.stringify({ model: "fast", stream: true, messages: [{ role: "user", content: `stream ${i}` }] }) };
    case 3:
      return { path: "/v1/messages", headers: team, body: JSON.stringify({ model: "claude/claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: `hi ${i}` }] }) };
    default:
      return { path: "/v1/embeddings", headers: alice, body: JSON.stringify({ model: "up/text-embedding-3-small", input: [`text ${i}`] }) };
  }
}

export interface LoadResult {
  readonly path: string;
  readonly reply: HttpReply;
  /** When it was sent and answered (Date.now()). */
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** `clients` concurrent clients sending the mixed load to `url` until `stop()` says so. */
export async function mixedLoad(url: string, stop: () => boolean, clients = 4): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  let sequence = 0;
  const client = async (): Promise<void> => {
    while (!stop()) {
      const c = loadCase(sequence++);
      const sentAt = Date.now();
      const reply = await httpCall(url, { method: "POST", path: c.path, headers: c.headers, body: c.body });
      results.push({ path: c.path, reply, sentAt, answeredAt: Date.now() });
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return results;
}

/** Load for `ms` milliseconds. */
export function loadFor(url: string, ms: number, clients = 4): Promise<LoadResult[]> {
  const end = Date.now() + ms;
  return mixedLoad(url, () => Date.now() > end, clients);
}
