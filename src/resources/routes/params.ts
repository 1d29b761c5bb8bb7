import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import { badRequest, notFound } from '../../http/errors.js';
import { paramProblem } from '../../routing/dialplan-values.js';
import { defaultWire, lockedById } from '../../http/kit/crud.js';
import { CreatedEnvelope, created } from '../../http/kit/envelopes.js';
import { Id, Message, flipped } from '../../http/kit/types.js';
import { ParamCreate, ParamUpdate, RouteParamRow } from './schema.js';
import { ROUTES_TOPIC, ROUTE_PARAM_REALM, type RouteStore } from './store.js';

/** A route's dialplan applications, in the order the dialplan runs them. */
export async function paramsOf(db: Db, routeId: number) {
  const rows = await db.kysely
    .selectFrom('params')
    .selectAll()
    .where('realm', '=', ROUTE_PARAM_REALM)
    .where('ref_id', '=', routeId)
    .orderBy('o')
    .orderBy('id')
    .execute();
  return rows.map(defaultWire);
}

async function paramOf(db: Kysely<Database>, routeId: number, paramId: number) {
  const row = await db
    .selectFrom('params')
    .selectAll()
    .where('realm', '=', ROUTE_PARAM_REALM)
    .where('ref_id', '=', routeId)
    .where('id', '=', paramId)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

const RouteParams = Type.Object({ id: Id });
const RouteParamParams = Type.Object({ id: Id, pid: Id });
const ParamChanged = Type.Object({ code: Type.Integer(), message: Type.String(), data: RouteParamRow });
const ParamDeleted = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Integer({ description: 'rows deleted' }) });

export async function routeParamRoutes(parent: FastifyInstance, options: { store: RouteStore }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = options;
  const tags = ['routes'];

  app.get('/api/routes/:id/params', {
    schema: { tags, summary: "List a route's params (dialplan applications)", params: RouteParams, response: { 200: Type.Array(RouteParamRow), 404: Message } },
  }, async (request) => {
    await store.get(request.params.id);
    return paramsOf(app.db, request.params.id);
  });

  app.post('/api/routes/:id/params', {
    schema: { tags, summary: 'Add a param to a route', params: RouteParams, body: ParamCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => {
    const routeId = request.params.id;
    const { k, v = '', disabled = 0 } = request.body;
    assertRenderableParam({ k, v });
    const id = await app.writes.run(async (scope) => {
      // Held until commit: a route deleted meanwhile would leave this param behind.
      await lockedById(scope, 'routes', routeId);
      const o = request.body.o ?? (await nextOrder(scope.trx, routeId));
      const now = storedNow();
      const row = await scope.trx
        .insertInto('params')
        .values({ realm: ROUTE_PARAM_REALM, ref_id: routeId, k, v, o, disabled, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      scope.changed(ROUTES_TOPIC, [routeId]);
      return row.id;
    });
    return created(id);
  });

  app.put('/api/routes/:id/params/:pid', {
    schema: { tags, summary: 'Edit a route param, or toggle it with {"action":"toggle"}', params: RouteParamParams, body: ParamUpdate, response: { 200: ParamChanged, 404: Message } },
  }, async (request) => {
    const { id: routeId, pid } = request.params;
    const { action, ...fields } = request.body;
    assertRenderableParam(fields);
    const patch = action === 'toggle' ? { disabled: flipped('disabled') } : fields;
    const row = await app.writes.run(async (scope) => {
      await lockedById(scope, 'routes', routeId);
      await paramOf(scope.trx, routeId, pid);
      await scope.trx.updateTable('params').set({ ...patch, updated_at: storedNow() }).where('id', '=', pid).execute();
      scope.changed(ROUTES_TOPIC, [routeId]);
      return paramOf(scope.trx, routeId, pid);
    });
    return { code: 200, message: 'success', data: defaultWire(row) };
  });

  app.delete('/api/routes/:id/param/:pid', {
    schema: { tags, summary: 'Delete a route param (singular `param`, as the spec)', params: RouteParamParams, response: { 200: ParamDeleted, 404: Message } },
  }, async (request) => {
    const { id: routeId, pid } = request.params;
    await app.writes.run(async (scope) => {
      await lockedById(scope, 'routes', routeId);
      await paramOf(scope.trx, routeId, pid);
      await scope.trx.deleteFrom('params').where('id', '=', pid).execute();
      scope.changed(ROUTES_TOPIC, [routeId]);
    });
    return { code: 200, message: 'success', data: 1 };
  });
}

/** The dialplan runs a param as an application with its data: both must render. */
function assertRenderableParam(param: { k?: string | undefined; v?: string | undefined }): void {
  const problem = paramProblem(param);
  if (problem) throw badRequest(problem.field, problem.problem);
}

async function nextOrder(db: Kysely<Database>, routeId: number): Promise<number> {
  const row = await db
    .selectFrom('params')
    .select((eb) => eb.fn.max('o').as('last'))
    .where('realm', '=', ROUTE_PARAM_REALM)
    .where('ref_id', '=', routeId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}
