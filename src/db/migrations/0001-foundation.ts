import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';
import { contextSeeds, dictSeeds } from './seed-data.js';

export function foundation(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const now = new Date().toISOString();

      await withId(db.schema.createTable('users'), dialect)
        .addColumn('login', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('name', 'varchar(128)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('extn', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('super_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('sessions'), dialect)
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

      await withId(db.schema.createTable('dicts'), dialect)
        .addColumn('realm', 'varchar(64)', (c) => c.notNull())
        .addColumn('k', 'varchar(128)', (c) => c.notNull())
        .addColumn('v', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('d', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('o', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('dicts_realm_k', ['realm', 'k'])
        .execute();

      await withId(db.schema.createTable('contexts'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('key', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('domain', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('hotline_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      const orderInRealm = new Map<string, number>();
      await db
        .insertInto('dicts')
        .values(
          dictSeeds.map((seed) => {
            const o = (orderInRealm.get(seed.realm) ?? 0) + 1;
            orderInRealm.set(seed.realm, o);
            return { ...seed, d: seed.d ?? '', o, created_at: now, updated_at: now };
          }),
        )
        .execute();
      await db
        .insertInto('contexts')
        .values(contextSeeds.map((seed) => ({ ...seed, created_at: now, updated_at: now })))
        .execute();
    },
  };
}
