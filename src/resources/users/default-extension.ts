import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export interface DefaultExtension {
  id: number;
  extn: string;
}

/**
 * Each user's default extension: the one `extn_id` names while the user still owns it. An
 * extension given to someone else stops being the former owner's default without anyone having
 * to clear `extn_id`, so the rule lives here and nowhere else.
 */
export async function defaultExtensions(
  db: Kysely<Database>,
  users: readonly { id: number; extn_id: number | null }[],
): Promise<Map<number, DefaultExtension>> {
  const named = users.filter((user) => user.extn_id !== null);
  if (named.length === 0) return new Map();
  const rows = await db.selectFrom('extensions')
    .select(['id', 'extn', 'user_id'])
    .where('id', 'in', [...new Set(named.map((user) => user.extn_id!))])
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = new Map<number, DefaultExtension>();
  for (const user of named) {
    const extension = byId.get(user.extn_id!);
    if (extension?.user_id === user.id) found.set(user.id, { id: extension.id, extn: extension.extn });
  }
  return found;
}
