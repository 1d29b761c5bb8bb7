import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { emptyText } from './columns.js';

/**
 * Users as XSwitch's console manages them. The role stays `super_admin` (1: administrator, 0:
 * ordinary user), so the admin of the first start remains one; `type` is the console's kind of
 * user (NORMAL, AGENT), not a permission. The user's extension is no longer a copied number:
 * `extn_id` names the default one among the extensions the user owns (`extensions.user_id`), so
 * renumbering an extension cannot leave a stale copy behind.
 */
export function users() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('type', 'varchar(32)', (c) => c.notNull().defaultTo(sql`'NORMAL'`)).execute();
      await db.schema.alterTable('users').addColumn('domain', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText)).execute();
      await db.schema.alterTable('users').addColumn('tel', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText)).execute();
      await db.schema.alterTable('users').addColumn('last_login_at', 'varchar(32)', (c) => c.notNull().defaultTo(emptyText)).execute();
      await db.schema.alterTable('users')
        .addColumn('extn_id', 'integer', (c) => c.references('extensions.id').onDelete('set null'))
        .execute();
      await db.schema.alterTable('users').dropColumn('extn').execute();
      await db.schema.createIndex('users_type').on('users').column('type').execute();
    },
  };
}
