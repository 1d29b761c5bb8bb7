import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/**
 * Groups of users (XUI's `groups` and `user_groups`): a user belongs to any number of groups,
 * each membership one row, gone with its user or its group.
 */
export function userGroups(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await withId(db.schema.createTable('groups'), dialect)
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('domain', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await withId(db.schema.createTable('user_groups'), dialect)
        .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint('user_groups_member', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('user_groups_user').on('user_groups').column('user_id').execute();
    },
  };
}
