import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DialectName } from '../../db/connect.js';
import type { Database, TableName } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';

/** Many rows under one owner: text columns given column by column, every array as long as the others. */
export interface BulkRows {
  table: TableName;
  owner: string;
  ownerId: number;
  createdAt: string;
  /** Column name → its value for every row, in input order. */
  columns: Readonly<Record<string, readonly string[]>>;
  /** The column of the owner's unique index (also among `columns`): rows go in in its order. */
  indexed: string;
}

/**
 * Inserts many rows under one owner in one transaction's worth of statements and answers their ids
 * in input order.
 *
 * The ids are taken before the rows go in and written with them, so nothing depends on the order
 * a database numbers the rows of a statement in, and no row has to come back: on SQLite one past
 * the largest id the table ever had (what AUTOINCREMENT would give; the write transaction is the
 * only writer, and a writer that committed since it read fails it with SQLITE_BUSY), on PostgreSQL
 * `nextval` of the id's sequence, once per row. SQLite takes the rows 500 to a prepared statement
 * (bound values, the statement prepared once); PostgreSQL all of them in one statement.
 *
 * The rows go in ordered by `indexed` (by its first few characters, see `localityOrder`), so that
 * the unique index and the id key grow at their ends instead of at random pages: in input order a
 * million random numbers take three times as long.
 */
export async function insertRows(trx: Kysely<Database>, dialect: DialectName, into: BulkRows): Promise<Float64Array> {
  const keys = into.columns[into.indexed]!;
  const count = keys.length;
  const ids = new Float64Array(count);
  if (count === 0) return ids;
  const order = localityOrder(keys);
  const newIds = dialect === 'postgres' ? await postgresIds(trx, into.table, count) : await sqliteIds(trx, into.table, count);
  for (let position = 0; position < count; position++) ids[order[position]!] = newIds(position);
  await (dialect === 'postgres' ? insertPostgres : insertSqlite)(trx, into, order, ids);
  return ids;
}

/** The ids the next `count` rows of `table` get on SQLite: one past the largest the table ever had, in a row. */
async function sqliteIds(trx: Kysely<Database>, table: TableName, count: number): Promise<(position: number) => number> {
  const { rows: [row] } = await sql<{ last: number }>`select max(
      coalesce((select seq from sqlite_sequence where name = ${table}), 0),
      coalesce((select max(id) from ${sql.table(table)}), 0)) as last`.execute(trx);
  const first = row!.last + 1;
  if (!Number.isSafeInteger(first + count)) throw new Error(`${table}: no ids left`);
  return (position) => first + position;
}

/**
 * `count` ids of `table`'s sequence on PostgreSQL. Usually they come in a row and only their bounds
 * travel; when another writer took some of the sequence's values meanwhile, this takes `count`
 * more and reads every one (the first ones stay unused, as a rolled-back insert leaves its ids).
 * The sequence is looked up once: named in every `nextval`, it would be looked up for every row,
 * ten times slower.
 */
async function postgresIds(trx: Kysely<Database>, table: TableName, count: number): Promise<(position: number) => number> {
  const taken = sql`with sequence as materialized (select cast(pg_get_serial_sequence(${table}, 'id') as regclass) as id)
    select nextval(sequence.id) as id from sequence, generate_series(1, cast(${count} as integer))`;
  const { rows: [range] } = await sql<{ first: number; last: number }>`select min(id) as first, max(id) as last from (${taken}) as taken`.execute(trx);
  const first = Number(range!.first);
  if (Number(range!.last) - first + 1 === count) return (position) => first + position;
  const { rows } = await sql<{ id: number }>`${taken}`.execute(trx);
  const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
  return (position) => ids[position]!;
}

/** Rows per SQLite statement: 500 rows of three bound values, well under SQLite's 32,766. */
const SQLITE_CHUNK = 500;

/** Statement texts by table, columns and rows: the same text each time, so that the statement cache keeps one prepared statement. */
const sqliteStatements = new Map<string, string>();

function sqliteInsert(trx: Kysely<Database>, into: BulkRows, textColumns: readonly string[], rows: number): string {
  const key = `${into.table} ${into.owner} ${textColumns.join(',')} ${rows}`;
  let text = sqliteStatements.get(key);
  if (text === undefined) {
    const columns = ['id', into.owner, 'created_at', 'updated_at', ...textColumns].map((column) => sql.ref(column));
    // VALUES names its columns column1, column2, ...: the id, then the text columns.
    const selected = textColumns.map((_, index) => sql.ref(`column${index + 2}`));
    const row = sql`(${sql.join(Array.from({ length: 1 + textColumns.length }, () => sql`?`))})`;
    text = sql`insert into ${sql.table(into.table)} (${sql.join(columns)})
      select column1, ?, ?, ?, ${sql.join(selected)} from (values ${sql.join(Array.from({ length: rows }, () => row))})`.compile(trx).sql;
    sqliteStatements.set(key, text);
  }
  return text;
}

async function insertSqlite(trx: Kysely<Database>, into: BulkRows, order: Uint32Array, ids: Float64Array): Promise<void> {
  const textColumns = Object.keys(into.columns);
  const values = textColumns.map((column) => into.columns[column]!);
  for (let start = 0; start < order.length; start += SQLITE_CHUNK) {
    const end = Math.min(start + SQLITE_CHUNK, order.length);
    const parameters: (string | number)[] = [into.ownerId, into.createdAt, into.createdAt];
    for (let position = start; position < end; position++) {
      const index = order[position]!;
      parameters.push(ids[index]!);
      for (const column of values) parameters.push(column[index]!);
    }
    await trx.executeQuery(CompiledQuery.raw(sqliteInsert(trx, into, textColumns, end - start), parameters));
  }
}

/**
 * One statement: every column a JSON array parameter (JSON.stringify writes it natively, where the
 * driver's text[] literal escapes every element in JavaScript), zipped back into rows by ROWS FROM.
 */
async function insertPostgres(trx: Kysely<Database>, into: BulkRows, order: Uint32Array, ids: Float64Array): Promise<void> {
  const textColumns = Object.keys(into.columns);
  const inOrder = <T>(values: ArrayLike<T>) => JSON.stringify(Array.from(order, (index) => values[index]!));
  const names = textColumns.map((_, index) => sql.ref(`column${index + 1}`));
  const arrays = textColumns.map((column) => sql`json_array_elements_text(cast(${inOrder(into.columns[column]!)} as json))`);
  const columns = ['id', into.owner, 'created_at', 'updated_at', ...textColumns].map((column) => sql.ref(column));
  await sql`insert into ${sql.table(into.table)} (${sql.join(columns)})
    select cast(item.id as integer), cast(${into.ownerId} as integer), cast(${into.createdAt} as varchar(32)), cast(${into.createdAt} as varchar(32)),
      ${sql.join(names.map((name) => sql`item.${name}`))}
    from rows from (json_array_elements_text(cast(${inOrder(ids)} as json)), ${sql.join(arrays)}) as item(id, ${sql.join(names)})`.execute(trx);
}

/** Bits of a row's index in a `localityOrder` sort key; the rest of a double's 53 bits order the keys. */
const INDEX_BITS = 20;

/**
 * A permutation of `keys` (indexes into it) in which the keys run in ascending order by their first
 * characters, ties in input order: enough for consecutive inserts to land on the same index pages.
 * Each key becomes a number that sorts as its first characters do (nine of them when every key is
 * made of digits, five otherwise) with the row's index in its low bits, and one typed-array sort
 * orders them, four times faster than sorting indexes by comparing strings.
 */
function localityOrder(keys: readonly string[]): Uint32Array {
  const count = keys.length;
  const order = new Uint32Array(count);
  if (count > 2 ** INDEX_BITS) {
    for (let index = 0; index < count; index++) order[index] = index;
    return order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
  }
  const digitsOnly = keys.every((key) => /^[0-9]*$/.test(key));
  // Digits rank 1..10 and the end of a key 0, base 11; any other text ranks by UTF-16 code unit
  // (clamped to the printable ASCII range numbers use), base 91. 11^9 and 91^5 are below 2^33.
  const [base, length] = digitsOnly ? [11, 9] : [91, 5];
  const rank = digitsOnly
    ? (code: number) => code - 47
    : (code: number) => (code < 33 ? 1 : code > 122 ? 90 : code - 32);
  const sortKeys = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const key = keys[index]!;
    let value = 0;
    for (let at = 0; at < length; at++) value = value * base + (at < key.length ? rank(key.charCodeAt(at)) : 0);
    sortKeys[index] = value * 2 ** INDEX_BITS + index;
  }
  sortKeys.sort();
  for (let position = 0; position < count; position++) order[position] = sortKeys[position]! % 2 ** INDEX_BITS;
  return order;
}

/** 409 naming the first of `numbers` that occurs twice, as `<field(index)>`. */
export function assertDistinct(numbers: readonly string[], field: (index: number) => string, noun: string): void {
  // A set answers whether there is a repeat, faster than the map that says where.
  if (new Set(numbers).size === numbers.length) return;
  const seen = new Map<string, number>();
  numbers.forEach((number, index) => {
    const earlier = seen.get(number);
    if (earlier !== undefined) throw conflict(field(index), `${noun} "${number}" is also item ${earlier}`);
    seen.set(number, index);
  });
}
