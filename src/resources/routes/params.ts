import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/connect.js';
import { notFound } from '../../http/errors.js';
import { defaultWire } from '../../http/kit/crud.js';
import { CreatedEnvelope, created } from '../../http/kit/envelopes.js';
import { storedNow } from '../../http/kit/time.js';
import { Id, Message, flipped } from '../../http/kit/types.js';
import { ParamCreate, ParamUpdate, RouteParamRow } from './schema.js';
import { ROUTE_PARAM_REALM, type RouteStore } from './store.js';

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

async function paramOf(db: Db, routeId: number, paramId: number) {
  const row = await db.kysely
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
    await store.get(routeId);
    const { k, v = '', disabled = 0 } = request.body;
    const o = request.body.o ?? (await nextOrder(app.db, routeId));
    const now = storedNow();
    const row = await app.db.kysely
      .insertInto('params')
      .values({ realm: ROUTE_PARAM_REALM, ref_id: routeId, k, v, o, disabled, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return created(row.id);
  });

  app.put('/api/routes/:id/params/:pid', {
    schema: { tags, summary: 'Edit a route param, or toggle it with {"action":"toggle"}', params: RouteParamParams, body: ParamUpdate, response: { 200: ParamChanged, 404: Message } },
  }, async (request) => {
    const { id: routeId, pid } = request.params;
    await paramOf(app.db, routeId, pid);
    const { action, ...fields } = request.body;
    const patch = action === 'toggle' ? { disabled: flipped('disabled') } : fields;
    await app.db.kysely.updateTable('params').set({ ...patch, updated_at: storedNow() }).where('id', '=', pid).execute();
    return { code: 200, message: 'success', data: defaultWire(await paramOf(app.db, routeId, pid)) };
  });

  app.delete('/api/routes/:id/param/:pid', {
    schema: { tags, summary: 'Delete a route param (singular `param`, as the spec)', params: RouteParamParams, response: { 200: ParamDeleted, 404: Message } },
  }, async (request) => {
    const { id: routeId, pid } = request.params;
    await paramOf(app.db, routeId, pid);
    await app.db.kysely.deleteFrom('params').where('id', '=', pid).execute();
    return { code: 200, message: 'success', data: 1 };
  });
}

async function nextOrder(db: Db, routeId: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('params')
    .select((eb) => eb.fn.max('o').as('last'))
    .where('realm', '=', ROUTE_PARAM_REALM)
    .where('ref_id', '=', routeId)
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}
