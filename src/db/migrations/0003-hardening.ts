import type { Kysely } from 'kysely';

export function hardening() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('login_failures')
        .addColumn('key', 'varchar(512)', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_started_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  };
}
