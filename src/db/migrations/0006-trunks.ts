import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/**
 * Trunks (SIP peers reached by address, no registration of ours), trunk groups choosing among
 * them (RR or WEIGHT), their members with weights, and route codes naming a group.
 */
export function trunks(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('trunks'), dialect)
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('type', 'varchar(16)', (c) => c.notNull().defaultTo('INOUT'))
        .addColumn('protocol', 'varchar(8)', (c) => c.notNull().defaultTo('UDP'))
        .addColumn('local_addr', 'varchar(300)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('remote_addr', 'varchar(300)', (c) => c.notNull())
        .addColumn('register', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('source', 'varchar(128)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('params', 'varchar(4096)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('media_codec', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('trunk_groups'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('strategy', 'varchar(16)', (c) => c.notNull().defaultTo('RR'))
        .addColumn('params', 'varchar(4096)', (c) => c.notNull().defaultTo(emptyText))
        // Calls the group has placed: the RR rotation, shared by every process on the database.
        .addColumn('rr_counter', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('trunk_group_members'), dialect)
        .addColumn('trunk_group_id', 'integer', (c) => c.notNull().references('trunk_groups.id'))
        .addColumn('trunk_id', 'integer', (c) => c.notNull().references('trunks.id'))
        .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('trunk_group_members_pair', ['trunk_group_id', 'trunk_id'])
        .execute();
      await db.schema.createIndex('trunk_group_members_trunk').on('trunk_group_members').column('trunk_id').execute();

      await withId(db.schema.createTable('route_codes'), dialect)
        .addColumn('code', 'varchar(8)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('tg_id', 'integer', (c) => c.notNull().references('trunk_groups.id'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('route_codes_tg').on('route_codes').column('tg_id').execute();
    },
  };
}
