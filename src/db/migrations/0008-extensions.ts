import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/**
 * Extensions: the SIP accounts FreeSWITCH authenticates through the directory. The secret is kept
 * only as FreeSWITCH's `a1-hash` (md5 of extn:domain:password), which is all SIP digest needs, so
 * no password is ever stored or returned. `context` is a context key (the calls' routing context),
 * `user_id` the person who owns the extension, if any.
 */
export function extensions(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('extensions'), dialect)
        .addColumn('extn', 'varchar(32)', (c) => c.notNull())
        .addColumn('domain', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('name', 'varchar(128)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('context', 'varchar(64)', (c) => c.notNull())
        .addColumn('a1_hash', 'varchar(32)', (c) => c.notNull())
        .addColumn('cid_name', 'varchar(128)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('cid_number', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('type', 'varchar(32)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('auto_record', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('extensions_domain_extn', ['domain', 'extn'])
        .execute();
      await db.schema.createIndex('extensions_extn').on('extensions').column('extn').execute();
      await db.schema.createIndex('extensions_user').on('extensions').column('user_id').execute();
    },
  };
}
