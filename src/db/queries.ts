import type { Kysely } from 'kysely';
import type { Database, Row, TableName } from './schema.js';

// Small typed helpers over any table. Generic over the table, so Kysely's builder cannot check the
// column names here; callers pass names of their own table.

export async function findRow<T extends TableName>(db: Kysely<Database>, table: T, id: number): Promise<Row<T> | undefined> {
  return (await (db as Kysely<any>).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as Row<T> | undefined;
}

/** The index in `ids` of the first id with no row in `table` (undefined entries are skipped), or -1. */
export async function firstMissing(db: Kysely<Database>, table: TableName, ids: readonly (number | undefined)[]): Promise<number> {
  const asked = [...new Set(ids.filter((id): id is number => id !== undefined))];
  if (asked.length === 0) return -1;
  const rows: { id: number }[] = await (db as Kysely<any>).selectFrom(table).select('id').where('id', 'in', asked).execute();
  const found = new Set(rows.map((row) => row.id));
  return ids.findIndex((id) => id !== undefined && !found.has(id));
}

/** The stored form of a timestamp: UTC, ISO-8601, sortable as text in both dialects. */
export function storedNow(): string {
  return new Date().toISOString();
}

/** Values per query in `presentValues`: well under both databases' bound-parameter limits. */
const VALUES_PER_QUERY = 500;

/** The ids of the rows of `table` holding each of `values` in `column` (absent: none does). */
export async function idsByValue(db: Kysely<Database>, table: TableName, column: string, values: readonly string[]): Promise<Map<string, number[]>> {
  const asked = [...new Set(values)];
  const ids = new Map<string, number[]>();
  for (let start = 0; start < asked.length; start += VALUES_PER_QUERY) {
    const rows: { id: number; value: string }[] = await (db as Kysely<any>).selectFrom(table).select(['id', `${column} as value`])
      .where(column, 'in', asked.slice(start, start + VALUES_PER_QUERY)).orderBy('id').execute();
    for (const { id, value } of rows) ids.set(value, [...(ids.get(value) ?? []), id]);
  }
  return ids;
}

/** Which of `values` some row of `table` holds in `column` (a unique name, an extension number). */
export async function presentValues(db: Kysely<Database>, table: TableName, column: string, values: readonly string[]): Promise<Set<string>> {
  return new Set((await idsByValue(db, table, column, values)).keys());
}
