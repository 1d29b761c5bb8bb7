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

/**
 * `PUT /api/routes/drag/:start_id/:end_id`: CherryPBX's route detail page calls it when a param
 * (a dialplan application) is dragged onto another's place in the list; the dragged param takes
 * that place and the ones between shift by one, as the page then shows them. Both must be params
 * of one route. Answers the route's params in their new order.
 */
export async function routeParamDragRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  app.put('/api/routes/drag/:start_id/:end_id', {
    schema: {
      tags: ['routes'],
      summary: "Move a route's param to another param's place in the run order",
      params: Type.Object({ start_id: Id, end_id: Id }),
      response: { 200: Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(RouteParamRow) }), 404: Message },
    },
  }, async (request) => {
    const { start_id: moved, end_id: target } = request.params;
    const routeId = await app.writes.run(async (scope) => {
      const [dragged, onto] = await Promise.all([moved, target].map((id) =>
        scope.trx.selectFrom('params').select(['id', 'ref_id']).where('realm', '=', ROUTE_PARAM_REALM).where('id', '=', id).executeTakeFirst()));
      if (!dragged || !onto) throw notFound();
      if (dragged.ref_id !== onto.ref_id) throw badRequest('end_id', `param ${target} belongs to route ${onto.ref_id}, param ${moved} to route ${dragged.ref_id}`);
      await lockedById(scope, 'routes', dragged.ref_id);
      const order = (await scope.trx.selectFrom('params').select(['id', 'o']).where('realm', '=', ROUTE_PARAM_REALM)
        .where('ref_id', '=', dragged.ref_id).orderBy('o').orderBy('id').execute());
      const ids = order.map((param) => param.id);
      // Read again under the route's lock: either param may have gone meanwhile.
      if (!ids.includes(moved) || !ids.includes(target)) throw notFound();
      const to = ids.indexOf(target);
      ids.splice(ids.indexOf(moved), 1);
      ids.splice(to, 0, moved);
      const now = storedNow();
      for (const [index, id] of ids.entries()) {
        if (order.find((param) => param.id === id)!.o !== index + 1) {
          await scope.trx.updateTable('params').set({ o: index + 1, updated_at: now }).where('id', '=', id).execute();
        }
      }
      scope.changed(ROUTES_TOPIC, [dragged.ref_id]);
      return dragged.ref_id;
    });
    return { code: 200, message: 'success', data: await paramsOf(app.db, routeId) };
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
