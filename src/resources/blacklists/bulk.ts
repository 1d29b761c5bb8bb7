import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Database, TableName } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';

/**
 * Inserts many rows under one owner in one statement, their text columns carried as a single JSON
 * parameter that the database takes apart itself (SQLite `json_each`, PostgreSQL
 * `json_array_elements`): a million numbers would otherwise be some two hundred statements of
 * thirty thousand bound values each. Answers the new ids in input order (the rows are inserted in
 * the order of the array, and numbered as inserted).
 */
export async function insertJsonRows(
  trx: Kysely<Database>,
  dialect: DialectName,
  into: { table: TableName; owner: string; ownerId: number; createdAt: string; textColumns: readonly string[] },
  rows: readonly Record<string, string>[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const json = JSON.stringify(rows);
  const { table, owner, ownerId, createdAt, textColumns } = into;
  const fixed = sql`cast(${ownerId} as integer), cast(${createdAt} as varchar(32)), cast(${createdAt} as varchar(32))`;
  const select = dialect === 'postgres'
    ? sql`select ${fixed}, ${sql.join(textColumns.map((column) => sql`element.value->>${sql.lit(column)}`))}
        from json_array_elements(cast(${json} as json)) with ordinality as element(value, position) order by element.position`
    : sql`select ${fixed}, ${sql.join(textColumns.map((column) => sql`json_extract(element.value, ${sql.lit(`$.${column}`)})`))}
        from json_each(${json}) as element order by element.key`;
  const columns = [owner, 'created_at', 'updated_at', ...textColumns].map((column) => sql.ref(column));
  const inserted = await sql<{ id: number }>`insert into ${sql.table(table)} (${sql.join(columns)}) ${select} returning id`.execute(trx);
  return inserted.rows.map((row) => row.id).sort((a, b) => a - b);
}

/** 409 naming the first of `numbers` that occurs twice, as `<field(index)>`. */
export function assertDistinct(numbers: readonly string[], field: (index: number) => string, noun: string): void {
  const seen = new Map<string, number>();
  numbers.forEach((number, index) => {
    const earlier = seen.get(number);
    if (earlier !== undefined) throw conflict(field(index), `${noun} "${number}" is also item ${earlier}`);
    seen.set(number, index);
  });
}
