import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

/** The Lua of the block a route's dest_uuid names, '' when it has none, undefined when the block is gone. */
export async function blockLua(db: Kysely<Database>, destUuid: string): Promise<string | undefined> {
  const id = Number(destUuid);
  if (!Number.isSafeInteger(id)) return undefined;
  const block = await db.selectFrom('blocks').select('lua').where('id', '=', id).executeTakeFirst();
  return block?.lua;
}
