import type { Kysely } from 'kysely';
import type { Database, NewRow, Row, TableName } from './schema.js';

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

/** Values per `in (…)` lookup: well under both databases' bound-parameter limits. */
export const LOOKUP_CHUNK = 500;

/** The ids of the rows of `table` holding each of `values` in `column` (absent: none does). */
export async function idsByValue(db: Kysely<Database>, table: TableName, column: string, values: readonly string[]): Promise<Map<string, number[]>> {
  const asked = [...new Set(values)];
  const ids = new Map<string, number[]>();
  for (let start = 0; start < asked.length; start += LOOKUP_CHUNK) {
    const rows: { id: number; value: string }[] = await (db as Kysely<any>).selectFrom(table).select(['id', `${column} as value`])
      .where(column, 'in', asked.slice(start, start + LOOKUP_CHUNK)).orderBy('id').execute();
    for (const { id, value } of rows) ids.set(value, [...(ids.get(value) ?? []), id]);
  }
  return ids;
}

/** Which of `values` some row of `table` holds in `column` (a unique name, an extension number). */
export async function presentValues(db: Kysely<Database>, table: TableName, column: string, values: readonly string[]): Promise<Set<string>> {
  return new Set((await idsByValue(db, table, column, values)).keys());
}

/** Rows per statement of `insertInBatches`: a few hundred stays under both databases' bound-parameter limits. */
const ROWS_PER_INSERT = 500;

/** Inserts `rows` (timestamped now) a few hundred per statement, in a write's transaction; answers them by id. */
export async function insertInBatches<T extends TableName>(trx: Kysely<Database>, table: T, rows: readonly Omit<NewRow<T>, 'created_at' | 'updated_at'>[]): Promise<Row<T>[]> {
  const now = storedNow();
  const stored: Row<T>[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const batch = rows.slice(start, start + ROWS_PER_INSERT).map((row) => ({ ...row, created_at: now, updated_at: now }));
    stored.push(...(await (trx as Kysely<any>).insertInto(table).values(batch).returningAll().execute()) as Row<T>[]);
  }
  return stored.sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
}
