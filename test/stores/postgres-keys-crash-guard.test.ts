import { afterAll, describe, expect, it } from "vitest";
import type { KeyRecord } from "../../core/key-store.ts";
import { recoverFromDroppedSocketWrite } from "../../sinks/postgres-crash-guard.ts";
import { postgresKeyStore } from "../../stores/index.ts";
import { DATABASE_URL, dropTables, query } from "../helpers/postgres.ts";
import { until } from "../helpers/redis-server.ts";

/** The driver's uncatchable TypeError on a dropped connection, as porsager/postgres#1154 shows it. */
function driverCrash(): TypeError {
  const error = new TypeError("Cannot read properties of null (reading 'write')");
  error.stack = `${error.name}: ${error.message}\n    at Immediate.nextWrite (file:///app/node_modules/postgres/src/connection.js:255:22)\n    at process.processImmediate (node:internal/timers:483:21)`;
  return error;
}

function key(id: string): KeyRecord {
  const at = new Date().toISOString();
  return { id, hash: id.padEnd(64, "0"), hint: "abcd", team: "t", models: ["fast"], tags: [], metadata: {}, createdAt: at, updatedAt: at };
}

describe("postgresKeyStore after the driver's crash on a dropped connection", () => {
  const prefix = `sy_t${process.pid}_${Math.random().toString(36).slice(2, 6)}_guard_`;
  afterAll(() => dropTables(["keys", "teams", "audit", "spend"].map((t) => `${prefix}${t}`)));

  it("lets its clients go and carries on with new ones, listening again", async () => {
    // Its own application name, to tell this store's connections from everyone else's.
    const app = `${prefix}app`;
    const url = new URL(DATABASE_URL);
    url.searchParams.set("application_name", app);
    const quiet = { warn() {} };
    const store = postgresKeyStore({ url: url.toString(), tablePrefix: prefix, snapshot: false, refreshMs: 600_000, logger: quiet });
    const other = postgresKeyStore({ url: DATABASE_URL, tablePrefix: prefix, snapshot: false, refreshMs: 600_000, logger: quiet });
    const backends = (): Promise<number[]> =>
      query((sql) => sql<{ pid: number }[]>`select pid from pg_stat_activity where application_name = ${app}`).then((rows) => rows.map((r) => r.pid));
    try {
      await store.start();
      await other.start();
      await store.createKey(key("k1"), "tester");
      // The pool's connection and the listener's.
      await until(async () => (await backends()).length >= 2, "the store's connections");
      const before = await backends();

      expect(recoverFromDroppedSocketWrite(driverCrash())).toBe(true);
      // Their connections cannot be trusted to flush any more: they are closed.
      await until(async () => (await backends()).every((pid) => !before.includes(pid)), "the old connections to close", 5000);

      await store.createKey(key("k2"), "tester");
      await other.createKey(key("k3"), "tester");
      // k3 reaches this store through its listener (the full reload is 10 minutes away).
      await until(() => store.current().keys.some((k) => k.id === "k3"), "the other instance's key", 5000);
      expect(store.current().keys.map((k) => k.id)).toEqual(["k1", "k2", "k3"]);
      expect(store.health().available).toBe(true);
    } finally {
      await store.close();
      await other.close();
    }
  }, 20_000);

  it("leaves errors that are not the driver's crash to whoever handles them", () => {
    expect(recoverFromDroppedSocketWrite(new TypeError("x is not a function"))).toBe(false);
  });
});
