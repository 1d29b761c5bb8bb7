import type { Kysely } from 'kysely';
import type { Database, NewRow, Row, TableName } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';

/** Bound parameters per statement, under SQLite's 32,766 and PostgreSQL's 65,535. */
const PARAMETERS_PER_STATEMENT = 30_000;

/** Inserts rows a statement of a few thousand at a time; answers the stored rows in input order. */
export async function insertInBatches<T extends TableName>(trx: Kysely<Database>, table: T, rows: readonly NewRow<T>[]): Promise<Row<T>[]> {
  if (rows.length === 0) return [];
  const batch = Math.max(1, Math.floor(PARAMETERS_PER_STATEMENT / Object.keys(rows[0]!).length));
  const stored: Row<T>[] = [];
  for (let start = 0; start < rows.length; start += batch) {
    const inserted = await (trx as Kysely<any>).insertInto(table).values(rows.slice(start, start + batch)).returningAll().execute();
    // Both databases return multi-row inserts in the order given; sort anyway, ids grow with it.
    stored.push(...(inserted as (Row<T> & { id: number })[]).sort((a, b) => a.id - b.id));
  }
  return stored;
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
