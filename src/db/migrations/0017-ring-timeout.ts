import type { Kysely } from 'kysely';

/** How long a call to an extension rings (seconds) before its no-answer forward or failure; 0: FreeSWITCH's default (60 s). */
export function ringTimeout() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('extension_features').addColumn('ring_timeout', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  };
}
