/**
 * Groups of users (XUI's groups and user_groups): CRUD of the groups, their members, and a user's
 * groups as CherryPBX's user page lists them (`GET /api/user_groups/:user_id`) and leaves one
 * (`DELETE /api/groups/members/:group_id/:user_id`).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { ChangedEnvelope, CreatedEnvelope, changed, created } from '../../http/kit/envelopes.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { GroupCreate, GroupDetail, GroupListRow, GroupMember, GroupUpdate, MemberCreate, MemberParams, UserGroupRow } from './schema.js';

const TAG = 'groups';

const groupCrud = crudRoutes({
  table: 'groups',
  path: '/api/groups',
  tag: TAG,
  listRow: GroupListRow,
  detailRow: GroupDetail,
  createBody: GroupCreate,
  updateBody: GroupUpdate,
  listing: {
    sortable: ['id', 'name', 'created_at'],
    searchable: ['name', 'description'],
    defaultSort: 'id',
    filters: { name: { column: 'name', match: 'contains' } },
  },
  toWire: (row: Row<'groups'>) => defaultWire(row),
  describe: (group) => `group "${group.name}" (id ${group.id})`,
  async beforeCreate(input, scope) {
    await scope.serialize('groups.name');
    await assertValueFree(scope.trx, 'groups', 'name', input.name, { noun: 'group' });
    return { description: '', domain: '', ...input };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.name !== undefined && input.name !== existing.name) {
      await scope.serialize('groups.name');
      await assertValueFree(scope.trx, 'groups', 'name', input.name, { noun: 'group', except: existing.id });
    }
    return input;
  },
  // Memberships go with the group (ON DELETE CASCADE).
});

export async function groupRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.get('/api/user_groups/:id', {
    schema: { tags, summary: 'The groups a user belongs to', params: IdParams, response: { 200: Type.Array(UserGroupRow), 404: Message } },
  }, async (request) => {
    await findById(db, 'users', request.params.id);
    return db.selectFrom('user_groups').innerJoin('groups', 'groups.id', 'user_groups.group_id')
      .select(['groups.id', 'groups.name', 'groups.domain', 'groups.description'])
      .where('user_groups.user_id', '=', request.params.id).orderBy('groups.id').execute();
  });

  app.get('/api/groups/:id/members', {
    schema: { tags, summary: 'The members of a group', params: IdParams, response: { 200: Type.Array(GroupMember), 404: Message } },
  }, async (request) => {
    await findById(db, 'groups', request.params.id);
    return db.selectFrom('user_groups').innerJoin('users', 'users.id', 'user_groups.user_id')
      .select(['user_groups.id', 'user_groups.group_id', 'user_groups.user_id', 'users.login', 'users.name', 'users.domain'])
      .where('user_groups.group_id', '=', request.params.id).orderBy('user_groups.id').execute();
  });

  app.post('/api/groups/:id/members', {
    schema: {
      tags, summary: 'Add a user to a group: {user_id}', params: IdParams, body: MemberCreate,
      response: { 200: CreatedEnvelope, 400: Message, 404: Message, 409: Message },
    },
  }, async (request) => {
    const id = await app.writes.run(async (scope) => {
      const group = await lockedById(scope, 'groups', request.params.id);
      if (!(await scope.lock('users', 'id', request.body.user_id, 'share'))) throw badRequest('user_id', `no user with id ${request.body.user_id}`);
      const already = await scope.trx.selectFrom('user_groups').select('id')
        .where('group_id', '=', group.id).where('user_id', '=', request.body.user_id).executeTakeFirst();
      if (already) throw conflict('user_id', `user ${request.body.user_id} is already a member of group "${group.name}"`);
      const row = await scope.trx.insertInto('user_groups').values({ group_id: group.id, user_id: request.body.user_id, created_at: storedNow() })
        .returning('id').executeTakeFirstOrThrow();
      return row.id;
    });
    return created(id);
  });

  app.delete('/api/groups/members/:group_id/:user_id', {
    schema: { tags, summary: 'Take a user out of a group', params: MemberParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    const { group_id, user_id } = request.params;
    await app.writes.run(async (scope) => {
      await lockedById(scope, 'groups', group_id);
      const removed = await scope.trx.deleteFrom('user_groups').where('group_id', '=', group_id).where('user_id', '=', user_id).executeTakeFirst();
      if (Number(removed.numDeletedRows) === 0) throw notFound();
    });
    return changed(user_id);
  });

  await app.register(groupCrud);
}
