import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { memoryKeyStore, postgresKeyStore } from "../../stores/index.ts";
import { keyStoreConformance } from "../../testing/index.ts";
import { DATABASE_URL, dropTables } from "../helpers/postgres.ts";

describe("memoryKeyStore conformance", () => {
  for (const check of keyStoreConformance(() => memoryKeyStore())) it.concurrent(check.name, check.run);
});

describe("postgresKeyStore conformance (DATABASE_URL)", () => {
  const run = `sy_t${process.pid}_${Math.random().toString(36).slice(2, 6)}_`;
  const prefixes = new Set<string>();
  const dir = mkdtempSync(join(tmpdir(), "switchyard-keys-"));
  afterAll(() => dropTables([...prefixes].flatMap((p) => ["keys", "teams", "audit", "spend"].map((t) => `${p}${t}`))));
  const make = (namespace: string) => {
    const prefix = `${run}${namespace}_`;
    prefixes.add(prefix);
    return postgresKeyStore({ url: DATABASE_URL, tablePrefix: prefix, snapshot: join(dir, `${namespace}-${Math.random().toString(36).slice(2)}.json`), logger: { warn() {} } });
  };
  for (const check of keyStoreConformance(make, { sharedBackend: true })) it.concurrent(check.name, check.run);
});
