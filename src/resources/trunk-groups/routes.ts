import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { conflict } from '../../http/errors.js';
import { assertAllHeld, assertValueFree, crudRoutes, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { CreatedEnvelope, PageOf, created } from '../../http/kit/envelopes.js';
import { ListQuery, pageOfRows } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { routeCodeWire } from '../route-codes/routes.js';
import { dialAddress } from '../trunks/address.js';
import {
  TrunkGroupCreate, TrunkGroupDetail, TrunkGroupRow, TrunkGroupUpdate, TrunkGroupUpdated, TrunkStatusRow,
} from './schema.js';

const TAG = 'trunk_groups';
type Members = NonNullable<Static<typeof TrunkGroupCreate>['members']>;

const describeGroup = (group: Pick<Row<'trunk_groups'>, 'id' | 'name'>) => `trunk group "${group.name}" (id ${group.id})`;
const toWire = ({ rr_counter: _turn, ...group }: Row<'trunk_groups'>) => defaultWire(group);

const assertNameFree = (db: Kysely<Database>, name: string, except?: number) =>
  assertValueFree(db, 'trunk_groups', 'name', name, { noun: 'trunk group', ...(except === undefined ? {} : { except }) });

/** Replaces the group's members; their trunks are held until commit so none is deleted under it. */
async function replaceMembers(scope: WriteScope, groupId: number, members: Members): Promise<void> {
  const seen = new Map<number, number>();
  members.forEach(({ trunk_id }, index) => {
    const earlier = seen.get(trunk_id);
    if (earlier !== undefined) throw conflict(`members.${index}.trunk_id`, `trunk ${trunk_id} is also members.${earlier}`);
    seen.set(trunk_id, index);
  });
  await assertAllHeld(scope, 'trunks', members.map((member) => member.trunk_id), (index) => `members.${index}.trunk_id`, 'trunk');
  await scope.trx.deleteFrom('trunk_group_members').where('trunk_group_id', '=', groupId).execute();
  if (members.length === 0) return;
  const now = storedNow();
  await scope.trx.insertInto('trunk_group_members')
    .values(members.map(({ trunk_id, weight = 1 }) => ({ trunk_group_id: groupId, trunk_id, weight, created_at: now, updated_at: now })))
    .execute();
}

const membersOf = (db: Kysely<Database>, groupId: number) => db.selectFrom('trunk_group_members')
  .innerJoin('trunks', 'trunks.id', 'trunk_group_members.trunk_id')
  .select(['trunk_group_members.id', 'trunk_group_members.trunk_id', 'trunks.name', 'trunks.remote_addr', 'trunks.enabled', 'trunk_group_members.weight'])
  .where('trunk_group_members.trunk_group_id', '=', groupId)
  .orderBy('trunk_group_members.id')
  .execute();

const groupCrud = crudRoutes({
  table: 'trunk_groups',
  path: '/api/trunk_groups',
  tag: TAG,
  listRow: TrunkGroupRow,
  detailRow: TrunkGroupDetail,
  createBody: TrunkGroupCreate,
  updateBody: TrunkGroupUpdate,
  // Create and update write members; the update answers the spec's `{"id":"22"}`.
  operations: ['list', 'delete'],
  listing: {
    sortable: ['id', 'name', 'strategy', 'created_at', 'updated_at'],
    searchable: ['name', 'description', 'strategy'],
    defaultSort: 'id',
  },
  toWire,
  describe: describeGroup,
  async beforeDelete(existing, scope) {
    await scope.trx.deleteFrom('trunk_group_members').where('trunk_group_id', '=', existing.id).execute();
  },
});

/**
 * The members as the spec's status table shows a dispatcher's (kamailio's) entries. Switchboard
 * does not probe trunks: an enabled member is `Active` with probing off (`AX`, ping disabled), a
 * disabled one `Disabled` (`DX`).
 */
async function statusRows(db: Kysely<Database>) {
  const rows = await db.selectFrom('trunk_group_members')
    .innerJoin('trunks', 'trunks.id', 'trunk_group_members.trunk_id')
    .innerJoin('trunk_groups', 'trunk_groups.id', 'trunk_group_members.trunk_group_id')
    .select([
      'trunk_groups.id as group_id', 'trunk_groups.name as group_name', 'trunks.description', 'trunks.remote_addr',
      'trunks.protocol', 'trunks.enabled', 'trunk_group_members.weight',
    ])
    .orderBy('trunk_groups.id').orderBy('trunk_group_members.id')
    .execute();
  return rows.map((row) => ({
    description: row.description,
    group_name: row.group_name,
    status: row.enabled === 1 ? 'Active' : 'Disabled',
    group_id: String(row.group_id),
    priority: '0',
    remote_addr: `sip:${dialAddress(row.remote_addr)};transport=${row.protocol}`,
    dflags: row.enabled === 1 ? 'AX' : 'DX',
    ping: 'disabled',
    flags: '0',
    attrs: `weight=${row.weight};`,
  }));
}

export async function trunkGroupRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.destinations.register({ type: 'FS_DEST_CLUSTER_TRUNK_GROUP', table: 'trunk_groups', nameColumn: 'name', noun: 'trunk group' });
  app.references.add('trunks', async ({ trx }, trunk) => {
    const group = await trx.selectFrom('trunk_group_members')
      .innerJoin('trunk_groups', 'trunk_groups.id', 'trunk_group_members.trunk_group_id')
      .select(['trunk_groups.id', 'trunk_groups.name'])
      .where('trunk_group_members.trunk_id', '=', trunk.id).orderBy('trunk_groups.id').executeTakeFirst();
    return group ? describeGroup(group) : undefined;
  });

  // Before `/api/trunk_groups/:id`, which would refuse the word as an id.
  app.get('/api/trunk_groups/status', {
    schema: {
      tags, summary: 'Every member of every trunk group with its state, in the spec\'s dispatcher shape',
      querystring: Type.Pick(ListQuery, ['page', 'perPage', 'page_size', 'pageSize']),
      response: { 200: PageOf(TrunkStatusRow) },
    },
  }, async (request) => pageOfRows(await statusRows(db), request.query));

  app.get('/api/trunk_groups/:id', {
    schema: { tags, summary: 'One trunk group with its members and route codes', params: IdParams, response: { 200: TrunkGroupDetail, 404: Message } },
  }, async (request) => {
    const group = await findById(db, 'trunk_groups', request.params.id);
    const [members, codes] = await Promise.all([
      membersOf(db, group.id),
      db.selectFrom('route_codes').selectAll().where('tg_id', '=', group.id).orderBy('id').execute(),
    ]);
    return {
      ...toWire(group),
      members: members.map((member) => ({ ...member, enabled: member.enabled === 1 })),
      route_codes: codes.map(routeCodeWire),
    };
  });

  app.post('/api/trunk_groups', {
    schema: { tags, summary: 'Create a trunk group, with its members (trunks and weights)', body: TrunkGroupCreate, response: { 200: CreatedEnvelope } },
  }, async (request) => {
    const { members, ...input } = request.body;
    const id = await app.writes.run(async (scope) => {
      await assertNameFree(scope.trx, input.name);
      const now = storedNow();
      const row = await scope.trx.insertInto('trunk_groups').values({
        name: input.name,
        description: input.description ?? '',
        strategy: input.strategy ?? 'RR',
        params: input.params ?? '',
        created_at: now,
        updated_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      if (members) await replaceMembers(scope, row.id, members);
      return row.id;
    });
    return created(id);
  });

  app.put('/api/trunk_groups/:id', {
    schema: {
      tags, summary: 'Change a trunk group; `members`, when given, replaces its members. Answers `{"id":"<id>"}` as the spec',
      params: IdParams, body: TrunkGroupUpdate, response: { 200: TrunkGroupUpdated, 404: Message },
    },
  }, async (request) => {
    const { id } = request.params;
    const { members, ...fields } = request.body;
    await app.writes.run(async (scope) => {
      const existing = await lockedById(scope, 'trunk_groups', id);
      if (fields.name !== undefined) await assertNameFree(scope.trx, fields.name, existing.id);
      await scope.trx.updateTable('trunk_groups').set({ ...fields, updated_at: storedNow() }).where('id', '=', id).execute();
      if (members) await replaceMembers(scope, id, members);
    });
    return { id: String(id) };
  });

  await app.register(groupCrud);
}

