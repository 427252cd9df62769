import { KeyConflictError, type KeyRecord, type KeySet, type KeyStore, type TeamRecord } from "../core/key-store.ts";
import type { ConformanceCase } from "./counter-store-conformance.ts";

export interface KeyStoreConformanceOptions {
  /**
   * Whether two stores made with the same namespace share one backend (a database), so the checks
   * can see a change made through one reach the other. Default false.
   */
  sharedBackend?: boolean;
}

/**
 * The key store contract as a list of checks, independent of any test framework:
 *
 * ```ts
 * for (const check of keyStoreConformance((namespace) => myStore(namespace))) it(check.name, check.run);
 * ```
 *
 * Each check makes its stores with `makeStore(namespace)`, one namespace per check (a table
 * prefix, say), so checks never see each other's records; stores are started and closed here.
 */
export function keyStoreConformance(makeStore: (namespace: string) => KeyStore | Promise<KeyStore>, options: KeyStoreConformanceOptions = {}): ConformanceCase[] {
  const run = (name: string, body: (store: KeyStore, another: () => Promise<KeyStore>) => Promise<void>): ConformanceCase => ({
    name,
    async run() {
      const namespace = `c${Math.random().toString(36).slice(2, 10)}`;
      const stores: KeyStore[] = [];
      const open = async (): Promise<KeyStore> => {
        const store = await makeStore(namespace);
        stores.push(store);
        await store.start();
        return store;
      };
      try {
        await body(await open(), open);
      } finally {
        for (const store of stores) await store.close();
      }
    },
  });

  const checks = [
    run("starts empty, and a created key is in current() at once, and listeners hear of it", async (store) => {
      equal(store.current().keys.length, 0, "keys of an empty store");
      const heard: KeySet[] = [];
      const stop = store.subscribe((set) => heard.push(set));
      await store.createKey(key("k1"), "tester");
      const found = store.current().keys.find((k) => k.id === "k1");
      ok(found !== undefined, "the created key is in current()");
      equal(found!.hash, key("k1").hash, "its hash");
      equal(found!.team, "t", "its team");
      ok(heard.some((set) => set.keys.some((k) => k.id === "k1")), "a listener heard of the new key");
      stop();
      ok(store.health().available, "health says available");
    }),
    run("refuses a taken id and a taken secret with KeyConflictError", async (store) => {
      await store.createKey(key("k1"), "tester");
      await rejects(() => store.createKey({ ...key("k1"), hash: hex("other") }, "tester"), KeyConflictError, "a second key with the same id");
      await rejects(() => store.createKey({ ...key("k2"), hash: key("k1").hash }, "tester"), KeyConflictError, "a second key with the same secret");
      equal(store.current().keys.length, 1, "keys after the refusals");
    }),
    run("updates a key under its lock and returns it; an unknown id is null", async (store) => {
      await store.createKey(key("k1"), "tester");
      const updated = await store.updateKey("k1", (k) => ({ ...k, rpm: 7, disabled: true, updatedAt: new Date().toISOString() }), "tester");
      equal(updated?.rpm, 7, "the returned record's rpm");
      const current = store.current().keys.find((k) => k.id === "k1");
      equal(current?.rpm, 7, "rpm in current()");
      equal(current?.disabled, true, "disabled in current()");
      equal(await store.updateKey("nope", (k) => k, "tester"), null, "updating an unknown key");
    }),
    run("deletes a key and returns it; deleting again is null", async (store) => {
      await store.createKey(key("k1"), "tester");
      equal((await store.deleteKey("k1", "tester"))?.id, "k1", "the deleted record");
      equal(store.current().keys.length, 0, "keys after the delete");
      equal(await store.deleteKey("k1", "tester"), null, "a second delete");
    }),
    run("keeps teams with their limits; refuses a taken team id", async (store) => {
      await store.createTeam(team("search"), "tester");
      await rejects(() => store.createTeam(team("search"), "tester"), KeyConflictError, "a second team with the same id");
      equal((await store.updateTeam("search", (t) => ({ ...t, tpm: 500 }), "tester"))?.tpm, 500, "the updated team's tpm");
      equal(store.current().teams.find((t) => t.id === "search")?.tpm, 500, "tpm in current()");
      equal((await store.deleteTeam("search", "tester"))?.id, "search", "the deleted team");
      equal(store.current().teams.length, 0, "teams after the delete");
      equal(await store.updateTeam("search", (t) => t, "tester"), null, "updating an unknown team");
    }),
    run("audits every change with its actor, newest first, without key hashes", async (store) => {
      await store.createKey(key("k1"), "alice");
      await store.updateKey("k1", (k) => ({ ...k, rpm: 1 }), "bob", "key.rotate");
      await store.createTeam(team("t"), "carol");
      await store.deleteKey("k1", "dave");
      const all = await store.audit();
      equal(all.map((e) => `${e.actor} ${e.action} ${e.target}`).join(", "), "dave key.delete key:k1, carol team.create team:t, bob key.rotate key:k1, alice key.create key:k1", "the audit trail");
      ok(!JSON.stringify(all).includes(key("k1").hash), "no hash in the audit trail");
      equal((all[2].after as { rpm?: number }).rpm, 1, "the update's after");
      equal((all[2].before as { rpm?: number }).rpm, undefined, "the update's before");
      equal((await store.audit({ target: "key:k1", limit: 2 })).map((e) => e.action).join(", "), "key.delete, key.rotate", "filtered by target, limited");
    }),
    run("adds spend up by hour, key, team and model, and totals it by key, team or model over a range", async (store) => {
      const row = (hour: string, keyId: string, team: string, model: string, costUsd: number) => ({ hour, keyId, team, model, requests: 1, inputTokens: 10, outputTokens: 5, costUsd });
      await store.addSpend([row("2026-01-01T10:00:00.000Z", "a", "t1", "m1", 1), row("2026-01-01T10:00:00.000Z", "a", "t1", "m1", 2), row("2026-01-01T11:00:00.000Z", "b", "t1", "m2", 0.5)]);
      await store.addSpend([row("2026-01-02T00:00:00.000Z", "a", "", "m2", 4)]);
      const byKey = await store.spend({ by: "key" });
      equal(JSON.stringify(byKey.map((t) => [t.id, t.requests, t.inputTokens, t.outputTokens, round(t.costUsd)])), JSON.stringify([["a", 3, 30, 15, 7], ["b", 1, 10, 5, 0.5]]), "spend by key");
      const byTeam = await store.spend({ by: "team", to: new Date("2026-01-02T00:00:00Z") });
      equal(JSON.stringify(byTeam.map((t) => [t.id, round(t.costUsd)])), JSON.stringify([["t1", 3.5]]), "spend by team before Jan 2");
      const byModel = await store.spend({ by: "model", from: new Date("2026-01-01T11:00:00Z") });
      equal(JSON.stringify(byModel.map((t) => [t.id, round(t.costUsd)])), JSON.stringify([["m2", 4.5]]), "spend by model from 11:00");
    }),
  ];
  if (options.sharedBackend === true) {
    checks.push(
      run("a change made through one store reaches another on the same backend within 2 s", async (store, another) => {
        const other = await another();
        await store.createKey(key("k1"), "tester");
        await eventually(() => other.current().keys.some((k) => k.id === "k1"), "the other store to see the new key");
        await store.updateKey("k1", (k) => ({ ...k, disabled: true }), "tester");
        await eventually(() => other.current().keys.find((k) => k.id === "k1")?.disabled === true, "the other store to see the key disabled");
        await other.deleteKey("k1", "tester");
        await eventually(() => store.current().keys.length === 0, "the first store to see the delete");
      }),
    );
  }
  return checks;
}

function hex(text: string): string {
  let out = "";
  for (let i = 0; out.length < 64; i++) out += (text.charCodeAt(i % text.length) + i).toString(16).padStart(2, "0");
  return out.slice(0, 64);
}

function key(id: string): KeyRecord {
  const at = new Date().toISOString();
  return { id, hash: hex(id), hint: "abcd", team: "t", models: ["fast"], tags: ["x"], metadata: { owner: "o" }, createdAt: at, updatedAt: at };
}

function team(id: string): TeamRecord {
  const at = new Date().toISOString();
  return { id, rpm: 10, budgetUsd: 5, budgetPeriod: "month", createdAt: at, updatedAt: at };
}

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

function ok(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected ${what}`);
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function rejects(call: () => Promise<unknown>, type: new (...args: never[]) => Error, what: string): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof type) return;
    throw new Error(`${what}: expected ${type.name}, got ${(error as Error)?.name}: ${(error as Error)?.message}`);
  }
  throw new Error(`${what}: expected ${type.name}, but it succeeded`);
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
