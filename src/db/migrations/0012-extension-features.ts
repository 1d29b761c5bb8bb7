import type { Kysely } from 'kysely';
import { emptyText } from './columns.js';

/**
 * What an extension's owner sets from the phone with function codes: do-not-disturb and the three
 * call forwards (a number routed in the extension's context, '' for none). One row per extension
 * that ever set one, dropped with the extension.
 */
export function extensionFeatures() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createTable('extension_features')
        .addColumn('extension_id', 'integer', (c) => c.primaryKey().references('extensions.id').onDelete('cascade'))
        .addColumn('dnd', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('forward_always', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('forward_busy', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('forward_noanswer', 'varchar(64)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  };
}
