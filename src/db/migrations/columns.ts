import { sql, type CreateTableBuilder } from 'kysely';
import type { DialectName } from '../connect.js';

/** Adds the auto-increment integer primary key `id` in the dialect's own idiom. */
export function withId<T extends string>(table: CreateTableBuilder<T, never>, dialect: DialectName) {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (c) => c.primaryKey())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Text columns default to '' so that NULL never reaches the wire (CONTRACT: NULL text is ""). */
export const emptyText = sql`''`;
