import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startCli } from "../helpers/cli.ts";
import { startLoad, until } from "../helpers/load.ts";
import { DATABASE_URL, dropTables } from "../helpers/postgres.ts";
import { deleteKeys, REDIS_URL, uniquePrefix } from "../helpers/redis.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

/**
 * Two gateway instances (CLI processes) sharing one Postgres key store and one Redis: keys made
 * through the admin API of one work on the other, disabling reaches both, a per-key rpm holds
 * across both, and Postgres going away (through a proxy this file owns; the shared server is
 * never touched) costs no request and no authentication, a restart included.
 */

const ADMIN = "sk-admin-shared-0123456789";
const CONFIG_KEY = "sk-config-shared-0123456789";
const tablePrefix = `sy_ks${process.pid}_${Math.random().toString(36).slice(2, 6)}_`;
const redisPrefix = uniquePrefix("keys-shared");
const dir = mkdtempSync(join(tmpdir(), "switchyard-keys-shared-"));
let proxy: TcpProxy;
const instances: RunningGateway[] = [];

function databaseThroughProxy(): string {
  const url = new URL(DATABASE_URL);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  return url.toString();
}

function start(name: string): Promise<RunningGateway> {
  return startCli(["--config", join(dir, "switchyard.config.ts")], {
    cwd: dir,
    env: { KEYS_DATABASE_URL: databaseThroughProxy(), KEYS_PREFIX: tablePrefix, KEYS_SNAPSHOT: join(dir, `${name}-snapshot.json`), REDIS_URL, REDIS_PREFIX: redisPrefix },
  }).then((gateway) => {
    instances.push(gateway);
    return gateway;
  });
}

beforeAll(async () => {
  const url = new URL(DATABASE_URL);
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  writeFileSync(
    join(dir, "switchyard.config.ts"),
    `import { defineConfig } from "switchyard";
import { mock } from "switchyard/providers";
import { admin, auth, rateLimit, route } from "switchyard/plugins";
import { postgresKeyStore, redisStore } from "switchyard/stores";

const keys = postgresKeyStore({ url: process.env.KEYS_DATABASE_URL!, tablePrefix: process.env.KEYS_PREFIX, snapshot: process.env.KEYS_SNAPSHOT, startTimeoutMs: 1500 });
const counters = redisStore({ url: process.env.REDIS_URL, prefix: process.env.REDIS_PREFIX });
export default defineConfig({
  providers: { mock: mock() },
  plugins: [
    auth({ keys: [{ id: "config", key: "${CONFIG_KEY}" }], store: keys }),
    admin({ keys: [{ id: "ops", key: "${ADMIN}" }], store: keys }),
    rateLimit({ per: "key", store: counters }),
    route({ models: { fast: [{ provider: "mock", model: "mock" }] } }),
  ],
});
`,
  );
});

afterAll(async () => {
  for (const gateway of instances) await gateway.stop();
  await proxy?.close();
  await dropTables(["keys", "teams", "audit", "spend"].map((t) => `${tablePrefix}${t}`));
  await deleteKeys(redisPrefix);
});

const adminCall = (gateway: RunningGateway, method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${gateway.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function status(gateway: RunningGateway, key: string): Promise<number> {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "fast", messages: [{ role: "user", content: "hi" }] }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("two instances on one Postgres key store", () => {
  it("share keys, disabling, per-key limits, and ride out Postgres going away", async () => {
    const [a, b] = await Promise.all([start("a"), start("b")]);

    // A key made on A authenticates on B within 2 s.
    const created = await adminCall(a, "POST", "/keys", { id: "shared-app" });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    expect(await status(a, secret)).toBe(200);
    const seenOnB = await until(async () => (await status(b, secret)) === 200, "B to accept the key made on A", 2_000);

    // Disabled on B: refused on both within 2 s.
    expect((await adminCall(b, "PATCH", "/keys/shared-app", { disabled: true })).status).toBe(200);
    const refusedOnA = await until(async () => (await status(a, secret)) === 401 && (await status(b, secret)) === 401, "both to refuse the disabled key", 2_000);
    expect((await adminCall(a, "PATCH", "/keys/shared-app", { disabled: false, rpm: 4 })).status).toBe(200);
    await until(async () => (await adminCall(b, "GET", "/keys/shared-app").then((r) => r.json()) as { rpm?: number }).rpm === 4, "B to see rpm 4", 2_000);

    // rpm 4 through the API, counted in Redis: exactly 4 of 10 requests spread over both pass.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await status(i % 2 === 0 ? a : b, secret));
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    expect(statuses.slice(0, 4)).toEqual([200, 200, 200, 200]);

    // A second runtime key, so known keys of both kinds are tried while Postgres is away.
    const other = (await (await adminCall(b, "POST", "/keys", { id: "other-app" })).json()) as { secret: string };
    await until(async () => (await status(a, other.secret)) === 200, "A to accept other-app", 2_000);

    // Postgres goes away under load: no 5xx, no refused known key.
    const ask = { model: "fast", messages: [{ role: "user", content: "x" }] };
    const loadsOn = (gateway: RunningGateway) => [startLoad(gateway.url, ask, { authorization: `Bearer ${other.secret}` }, 2), startLoad(gateway.url, ask, { authorization: `Bearer ${CONFIG_KEY}` }, 2)];
    const loadsA = loadsOn(a);
    const loadsB = loadsOn(b);
    await new Promise((r) => setTimeout(r, 300));
    await proxy.stop();
    await new Promise((r) => setTimeout(r, 1500));
    // Writes say the store is away; the status says so too.
    const write = await adminCall(a, "POST", "/keys", { id: "during-outage" });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    await until(async () => ((await (await adminCall(b, "GET", "/status")).json()) as { store: { available: boolean } }).store.available === false, "B's status to show the outage", 5_000);

    // A restart while Postgres is away serves the key set from its snapshot.
    for (const load of loadsB) await load.stop();
    await b.stop();
    instances.splice(instances.indexOf(b), 1);
    const restarted = await start("b");
    expect(restarted.output()).toMatch(/key store serving 2 keys from \S*b-snapshot\.json/);
    expect(await status(restarted, other.secret)).toBe(200);
    // shared-app is known too: still over its rpm of 4 in Redis, so 429, not 401.
    expect(await status(restarted, secret)).toBe(429);
    const outageLoad = startLoad(restarted.url, ask, { authorization: `Bearer ${other.secret}` }, 2);
    await new Promise((r) => setTimeout(r, 500));

    // Postgres is back: changes flow again, to the restarted instance too.
    await proxy.start();
    const loads = [...loadsA, ...loadsB, outageLoad];
    for (const load of loads) await load.stop();
    const all = loads.flatMap((load) => load.statuses);
    expect(all.length).toBeGreaterThan(100);
    expect(loads.flatMap((load) => load.failures)).toEqual([]);

    const late = await until(async () => (await adminCall(a, "POST", "/keys", { id: "after-outage" })).status === 201, "A's writes to work again", 10_000);
    const fresh = (await (await adminCall(a, "POST", "/keys/after-outage/rotate")).json()) as { secret: string };
    await until(async () => (await status(restarted, fresh.secret)) === 200, "the restarted B to accept a key made after the outage", 5_000);
    console.log(`shared key store: B accepted A's key after ${seenOnB} ms, both refused the disabled key after ${refusedOnA} ms, writes resumed ${late} ms after Postgres returned; ${all.length} requests during the outage, 0 failed`);
  }, 60_000);
});
