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
