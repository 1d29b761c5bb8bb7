import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/**
 * DIDs (the spec's hotlines: an inbound line number ringing extensions, named by their extn in
 * `numbers`, comma-separated) and DODs (the line number an extension's calls present on a gateway
 * or trunk). A DOD names its extension and its gateway or trunk by id; their extn and name are
 * read through the ids, so renaming either never leaves a DOD stale.
 */
export function didsDods(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('hotlines'), dialect)
        .addColumn('line_number', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('numbers', 'varchar(1024)', (c) => c.notNull())
        .addColumn('type', 'varchar(32)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('ref_id', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('dods'), dialect)
        .addColumn('extn_id', 'integer', (c) => c.notNull().references('extensions.id'))
        .addColumn('line_number', 'varchar(32)', (c) => c.notNull())
        // GATEWAY or TRUNKS: the table ref_id is a row of.
        .addColumn('type', 'varchar(16)', (c) => c.notNull())
        .addColumn('ref_id', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        // One line per extension and way out: a call has exactly one caller id to present.
        .addUniqueConstraint('dods_extn_way_out', ['extn_id', 'type', 'ref_id'])
        .execute();
      await db.schema.createIndex('dods_line_number').on('dods').column('line_number').execute();
      await db.schema.createIndex('dods_ref').on('dods').columns(['type', 'ref_id']).execute();
    },
  };
}
