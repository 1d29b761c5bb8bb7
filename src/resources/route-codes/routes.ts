import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Database, Row } from '../../db/schema.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest, conflict } from '../../http/errors.js';
import { crudRoutes } from '../../http/kit/crud.js';
import { ChangedEnvelope, changed } from '../../http/kit/envelopes.js';
import { RouteCodeCreate, RouteCodeRow, RouteCodeUpdate } from './schema.js';

const TAG = 'route_codes';

export const routeCodeWire = ({ id, code, description, tg_id }: Row<'route_codes'>) => ({ id, code, description, tg_id });

async function assertCodeFree(db: Kysely<Database>, code: string, except?: number): Promise<void> {
  const taken = await db.selectFrom('route_codes').select('id').where('code', '=', code).executeTakeFirst();
  if (taken && taken.id !== except) throw conflict('code', `route code "${code}" already exists`);
}

/** The trunk group a code names, held until commit so that it cannot be deleted under the code. */
async function holdGroup(scope: WriteScope, id: number): Promise<void> {
  if (!(await scope.lock('trunk_groups', 'id', id, 'share'))) throw badRequest('tg_id', `no trunk group with id ${id}`);
}

const routeCodeCrud = crudRoutes({
  table: 'route_codes',
  path: '/api/route_codes',
  tag: TAG,
  listRow: RouteCodeRow,
  detailRow: RouteCodeRow,
  createBody: RouteCodeCreate,
  updateBody: RouteCodeUpdate,
  listing: {
    sortable: ['id', 'code', 'tg_id', 'created_at'],
    searchable: ['code', 'description'],
    defaultSort: 'id',
  },
  toWire: routeCodeWire,
  describe: (row) => `route code "${row.code}" (id ${row.id})`,
  async beforeCreate(input, scope) {
    await holdGroup(scope, input.tg_id);
    await assertCodeFree(scope.trx, input.code);
    return { code: input.code, tg_id: input.tg_id, description: input.description ?? '' };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.tg_id !== undefined && input.tg_id !== existing.tg_id) await holdGroup(scope, input.tg_id);
    if (input.code !== undefined) await assertCodeFree(scope.trx, input.code, existing.id);
    return input;
  },
});

export async function routeCodeRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();

  app.references.add('trunk_groups', async ({ trx }, group) => {
    const code = await trx.selectFrom('route_codes').select(['id', 'code']).where('tg_id', '=', group.id).orderBy('id').executeTakeFirst();
    return code ? `route code "${code.code}" (id ${code.id})` : undefined;
  });

  app.delete('/api/route_codes', {
    schema: { tags: [TAG], summary: 'Delete every route code; `data` is how many were deleted', response: { 200: ChangedEnvelope } },
  }, async () => {
    const deleted = await app.writes.run(async (scope) => {
      const result = await scope.trx.deleteFrom('route_codes').executeTakeFirst();
      return Number(result.numDeletedRows);
    });
    return changed(deleted);
  });

  await app.register(routeCodeCrud);
}
