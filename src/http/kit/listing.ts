import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, Row, TableName } from '../../db/schema.js';
import type { DialectName } from '../../db/connect.js';
import { badRequest } from '../errors.js';
import { Int } from './types.js';

/** Rows a list answers with no paging parameter, and the most `perPage` may ask for (CONTRACT). */
export const LIST_CAP = 10_000;

export const ListQuery = Type.Object({
  page: Type.Optional(Int({ minimum: 1, description: 'page number, from 1' })),
  // A larger page size is served as LIST_CAP (CONTRACT), not refused.
  perPage: Type.Optional(Int({ minimum: 1, description: `rows per page, at most ${LIST_CAP}` })),
  page_size: Type.Optional(Int({ minimum: 1, description: 'alias of perPage' })),
  pageSize: Type.Optional(Int({ minimum: 1, description: 'alias of perPage' })),
  sortField: Type.Optional(Type.String({ description: 'column to sort by (per-resource whitelist)' })),
  sortOrder: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc'), Type.Literal('ASC'), Type.Literal('DESC')])),
  searchField: Type.Optional(Type.String({ description: 'column searched by searchKey (per-resource whitelist)' })),
  searchKey: Type.Optional(Type.String({ description: 'substring to look for' })),
});
export type ListQuery = Static<typeof ListQuery>;

/** The list query plus the resource's own filters, so that both are validated and documented. */
export function listQueryWithFilters<T extends TableName>(rules: ListRules<T>) {
  const filters = Object.fromEntries(
    Object.keys(rules.filters ?? {}).map((param) => [param, Type.Optional(Type.String())]),
  );
  return Type.Object({ ...ListQuery.properties, ...filters });
}

export type Column<T extends TableName> = keyof Row<T> & string;

export interface Filter<T extends TableName> {
  column: Column<T>;
  match: 'exact' | 'contains';
}

export interface ListRules<T extends TableName> {
  sortable: readonly Column<T>[];
  searchable: readonly Column<T>[];
  defaultSort: Column<T>;
  /** Direction when the client names none; the spec's examples list some resources newest first. */
  defaultOrder?: 'asc' | 'desc';
  /** Query parameters (as clients name them) that narrow the list. */
  filters?: Record<string, Filter<T>>;
}

export interface Page<R> {
  page: number;
  rowCount: number;
  pageCount: number;
  data: R[];
}

/** Any select, as `listPage`'s `narrow` takes it. */
export type AnyQuery = SelectQueryBuilder<any, any, any>;

/** `text` as a literal inside a LIKE pattern with `escape '\\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** Case-insensitive substring match in both dialects (SQLite LIKE already ignores ASCII case). */
export function containsText(dialect: DialectName, column: string, needle: string) {
  const pattern = `%${escapeLike(needle)}%`;
  return dialect === 'postgres'
    ? sql<boolean>`${sql.ref(column)} ilike ${pattern} escape '\\'`
    : sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** Rows per page and whether the client asked for paging (CONTRACT: no paging parameter, up to LIST_CAP rows). */
export function pageSize(query: ListQuery): { size: number; paged: boolean } {
  const asked = query.perPage ?? query.page_size ?? query.pageSize;
  if (asked === undefined && query.page === undefined) return { size: LIST_CAP, paged: false };
  return { size: Math.min(asked ?? 20, LIST_CAP), paged: true };
}

/** One page of rows already in memory (in their order), under the same paging rules as `listPage`. */
export function pageOfRows<R>(rows: readonly R[], query: ListQuery): Page<R> {
  const { size, paged } = pageSize(query);
  const page = paged ? (query.page ?? 1) : 1;
  return {
    page,
    rowCount: rows.length,
    pageCount: Math.ceil(rows.length / size),
    data: rows.slice((page - 1) * size, page * size),
  };
}

function applyFilters<T extends TableName>(
  qb: AnyQuery,
  dialect: DialectName,
  query: Record<string, unknown>,
  rules: ListRules<T>,
): AnyQuery {
  let narrowed = qb;
  for (const [param, filter] of Object.entries(rules.filters ?? {})) {
    const value = query[param];
    if (value === undefined || value === '') continue;
    narrowed = filter.match === 'exact'
      ? narrowed.where(sql.ref(filter.column), '=', value)
      : narrowed.where(containsText(dialect, filter.column, String(value)));
  }
  if (query.searchKey !== undefined && query.searchKey !== '') {
    const field = query.searchField;
    if (typeof field === 'string' && field !== '') {
      if (!(rules.searchable as readonly string[]).includes(field)) {
        throw badRequest('searchField', `must be one of ${rules.searchable.join(', ')}`);
      }
      narrowed = narrowed.where(containsText(dialect, field, String(query.searchKey)));
    } else {
      const needle = String(query.searchKey);
      narrowed = narrowed.where((eb) => eb.or(rules.searchable.map((column) => containsText(dialect, column, needle))));
    }
  }
  return narrowed;
}

/** One page of `base` under CONTRACT's paging, sorting and search rules. */
export async function listPage<T extends TableName>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: T,
  query: ListQuery & Record<string, unknown>,
  rules: ListRules<T>,
  narrow: (qb: AnyQuery) => AnyQuery = (qb) => qb,
): Promise<Page<Row<T>>> {
  const sortField = query.sortField || rules.defaultSort;
  if (!(rules.sortable as readonly string[]).includes(sortField)) {
    throw badRequest('sortField', `must be one of ${rules.sortable.join(', ')}`);
  }
  const order = (query.sortOrder?.toLowerCase() ?? rules.defaultOrder ?? 'asc') as 'asc' | 'desc';
  const base = narrow(applyFilters(db.selectFrom(table as TableName) as AnyQuery, dialect, query, rules));
  const { size, paged } = pageSize(query);
  const page = paged ? (query.page ?? 1) : 1;
  const [counted, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
    base
      .selectAll()
      .orderBy(sql.ref(sortField), order)
      .orderBy('id', order)
      .limit(size)
      .offset((page - 1) * size)
      .execute(),
  ]);
  const rowCount = Number(counted.count);
  return { page, rowCount, pageCount: Math.ceil(rowCount / size), data: rows as Row<T>[] };
}

/** What an export (`…/download`) answers: rows of cells, the header row of field names first. */
export const SheetReply = Type.Array(Type.Array(Type.Unknown()));

export const exportDescription = (noun: string) =>
  `The list's filters apply; at most ${LIST_CAP} ${noun} per request, the next ones with \`page\`.`;

/** The rows an export holds: the list's filters, by id, at most LIST_CAP per request (the next ones with `page`). */
export function exportPage<T extends TableName>(
  db: Kysely<Database>,
  dialect: DialectName,
  table: T,
  query: ListQuery & Record<string, unknown>,
  rules: ListRules<T>,
  narrow?: (qb: AnyQuery) => AnyQuery,
): Promise<Page<Row<T>>> {
  return listPage(db, dialect, table, { ...query, perPage: query.perPage ?? LIST_CAP, sortField: 'id', sortOrder: 'asc' }, rules, narrow);
}

/** A header row of `columns`, then each row's cells in that order. */
export function asSheet<R>(columns: readonly (keyof R & string)[], rows: readonly R[]): unknown[][] {
  return [[...columns], ...rows.map((row) => columns.map((column) => row[column]))];
}
