import type { Kysely } from 'kysely';
import { emptyText } from './columns.js';

/**
 * A gateway's own number transforms, as CherryPBX's gateway page edits them (号码变换): `dnc`
 * for the called number and `sdnc` for the caller number, in the rule forms routes use
 * (src/routing/number-transform.ts, or a translation table: number-translation.ts). They apply
 * to calls leaving through the gateway, after the route's own. One column per statement: SQLite
 * adds one column per ALTER TABLE.
 */
export function gatewayNumberTransforms() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const column of ['dnc', 'sdnc']) {
        await db.schema.alterTable('gateways').addColumn(column, 'varchar(255)', (c) => c.notNull().defaultTo(emptyText)).execute();
      }
    },
  };
}
