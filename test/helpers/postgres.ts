import postgres from "postgres";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A table name no other test run uses. */
export function uniqueTable(label: string): string {
  return `sy_test_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Run one query on a short-lived connection. */
export async function query<T extends Record<string, unknown>>(run: (sql: postgres.Sql) => Promise<T[]>): Promise<T[]> {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function dropTables(tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await query(async (sql) => {
    for (const table of tables) await sql`drop table if exists ${sql(table)}`;
    return [];
  });
}

/** The `record` column of a sink's table, oldest first. */
export function storedRecords(table: string): Promise<unknown[]> {
  return query((sql) => sql<{ record: unknown }[]>`select record from ${sql(table)} order by seq`).then((rows) => rows.map((r) => r.record));
}
