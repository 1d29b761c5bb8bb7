import { sql } from 'kysely';
import type { WritePath } from '../../db/write-path.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { dialAddress } from '../trunks/address.js';

/** A trunk as a call dials it. */
export interface DialTrunk {
  /** host[:port], without the URI scheme. */
  address: string;
  /** UDP, TCP or TLS. */
  protocol: string;
}

export interface Member {
  trunk: DialTrunk;
  weight: number;
}

/**
 * RR: the members in turn, the call numbered `turn` starting at member `turn mod n` and failing
 * over to the following ones, wrapping around.
 */
export function roundRobinOrder<T>(members: readonly T[], turn: number): T[] {
  if (members.length === 0) return [];
  const start = turn % members.length;
  return [...members.slice(start), ...members.slice(0, start)];
}

/**
 * WEIGHT: members drawn one after another without replacement, each with a chance proportional to
 * its weight among those left, so the first choice follows the weights and failover does too.
 * Members of weight 0 are tried last, in their order.
 */
export function weightedOrder<T extends { weight: number }>(members: readonly T[], random: () => number = Math.random): T[] {
  const left = members.filter((member) => member.weight > 0);
  const order: T[] = [];
  while (left.length > 0) {
    let point = random() * left.reduce((sum, member) => sum + member.weight, 0);
    let index = left.findIndex((member) => (point -= member.weight) < 0);
    if (index < 0) index = left.length - 1;
    order.push(...left.splice(index, 1));
  }
  return [...order, ...members.filter((member) => member.weight <= 0)];
}

const TRUNK_DESTINATIONS: ReadonlySet<string> = new Set(['FS_DEST_CLUSTER_TRUNK', 'FS_DEST_CLUSTER_TRUNK_GROUP']);

/** Where the RR rotation wraps, to stay in an `integer` column. */
const COUNTER_WRAP = 2_147_483_647;

/**
 * The trunks a call to FS_DEST_CLUSTER_TRUNK / FS_DEST_CLUSTER_TRUNK_GROUP tries, in order; empty
 * when none is enabled or the destination is of another type. RR's turn is a counter in the trunk group's row, bumped atomically per
 * call, so processes sharing the database rotate together (and the rotation survives restarts).
 */
export async function trunksToDial(db: Kysely<Database>, writes: WritePath, destType: string, destUuid: string): Promise<DialTrunk[]> {
  if (!TRUNK_DESTINATIONS.has(destType)) return [];
  const id = /^[1-9]\d{0,9}$/.test(destUuid) ? Number(destUuid) : NaN;
  if (!(id <= COUNTER_WRAP)) return [];
  if (destType === 'FS_DEST_CLUSTER_TRUNK') {
    const trunk = await db.selectFrom('trunks').select(['remote_addr', 'protocol']).where('id', '=', id).where('enabled', '=', 1).executeTakeFirst();
    return trunk ? [{ address: dialAddress(trunk.remote_addr), protocol: trunk.protocol }] : [];
  }
  const group = await db.selectFrom('trunk_groups').select('strategy').where('id', '=', id).executeTakeFirst();
  if (!group) return [];
  const rows = await db.selectFrom('trunk_group_members')
    .innerJoin('trunks', 'trunks.id', 'trunk_group_members.trunk_id')
    .select(['trunks.remote_addr', 'trunks.protocol', 'trunk_group_members.weight'])
    .where('trunk_group_members.trunk_group_id', '=', id)
    .where('trunks.enabled', '=', 1)
    .orderBy('trunk_group_members.id')
    .execute();
  const members: Member[] = rows.map((row) => ({ trunk: { address: dialAddress(row.remote_addr), protocol: row.protocol }, weight: row.weight }));
  if (members.length === 0) return [];
  if (group.strategy === 'WEIGHT') return weightedOrder(members).map((member) => member.trunk);
  const turn = await writes.run(async (scope) => {
    const bumped = await scope.trx.updateTable('trunk_groups')
      .set({ rr_counter: sql<number>`(rr_counter + 1) % ${sql.lit(COUNTER_WRAP)}` })
      .where('id', '=', id)
      .returning('rr_counter')
      .executeTakeFirst();
    return bumped ? bumped.rr_counter - 1 : 0;
  });
  return roundRobinOrder(members, Math.max(turn, 0)).map((member) => member.trunk);
}
