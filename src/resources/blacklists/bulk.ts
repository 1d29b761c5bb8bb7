import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Database, TableName } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';

/**
 * Inserts many rows under one owner in one statement, their text columns carried as a single JSON
 * parameter that the database takes apart itself (SQLite `json_each`, PostgreSQL
 * `json_array_elements`): a million numbers would otherwise be some two hundred statements of
 * thirty thousand bound values each. The rows go in ordered by `indexed`, the column of the
 * owner's unique index, so that the index grows at its end instead of at random pages. Answers the
 * new ids in input order (rows are numbered in the order they are inserted).
 */
export async function insertJsonRows(
  trx: Kysely<Database>,
  dialect: DialectName,
  into: { table: TableName; owner: string; ownerId: number; createdAt: string; textColumns: readonly string[]; indexed: string },
  rows: readonly Record<string, string>[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const { table, owner, ownerId, createdAt, textColumns, indexed } = into;
  const keys = rows.map((row) => row[indexed]!);
  const order = Array.from(new Uint32Array(rows.length).map((_, index) => index).sort((a, b) => {
    const left = keys[a]!;
    const right = keys[b]!;
    return left < right ? -1 : left > right ? 1 : 0;
  }));
  const json = JSON.stringify(order.map((index) => rows[index]));
  const fixed = sql`cast(${ownerId} as integer), cast(${createdAt} as varchar(32)), cast(${createdAt} as varchar(32))`;
  const select = dialect === 'postgres'
    ? sql`select ${fixed}, ${sql.join(textColumns.map((column) => sql`element.value->>${sql.lit(column)}`))}
        from json_array_elements(cast(${json} as json)) with ordinality as element(value, position) order by element.position`
    : sql`select ${fixed}, ${sql.join(textColumns.map((column) => sql`json_extract(element.value, ${sql.lit(`$.${column}`)})`))}
        from json_each(${json}) as element order by element.key`;
  const columns = [owner, 'created_at', 'updated_at', ...textColumns].map((column) => sql.ref(column));
  const inserted = await sql<{ id: number }>`insert into ${sql.table(table)} (${sql.join(columns)}) ${select} returning id`.execute(trx);
  const ids = inserted.rows.map((row) => row.id).sort((a, b) => a - b);
  const inInputOrder = new Array<number>(rows.length);
  order.forEach((index, position) => (inInputOrder[index] = ids[position]!));
  return inInputOrder;
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
