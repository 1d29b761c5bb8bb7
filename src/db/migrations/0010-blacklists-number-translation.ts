import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/**
 * Blacklists (and whitelists) with their numbers, and number-translation tables with theirs.
 * Numbers are rows of their own, not generic params: a list may hold a million, and "is this
 * caller on list L" must be an indexed lookup. The unique (list, number) pairs are that index.
 */
export function blacklistsNumberTranslation(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('blacklists'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('list_type', 'integer', (c) => c.notNull())
        .addColumn('limit_user_type', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('blacklist_numbers'), dialect)
        .addColumn('blacklist_id', 'integer', (c) => c.notNull().references('blacklists.id'))
        .addColumn('k', 'varchar(128)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('v', 'varchar(64)', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('blacklist_numbers_list_number', ['blacklist_id', 'v'])
        .execute();

      await withId(db.schema.createTable('number_translations'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('type', 'varchar(8)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('number_translation_numbers'), dialect)
        .addColumn('table_id', 'integer', (c) => c.notNull().references('number_translations.id'))
        .addColumn('original_number', 'varchar(64)', (c) => c.notNull())
        .addColumn('nts_number', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('number_translation_numbers_table_original', ['table_id', 'original_number'])
        .execute();
    },
  };
}
