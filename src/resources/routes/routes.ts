import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import type { Row } from '../../db/schema.js';
import { notFound } from '../../http/errors.js';
import { defaultWire } from '../../http/kit/crud.js';
import { ChangedEnvelope, PageOf, changed, sendWithSchema } from '../../http/kit/envelopes.js';
import { ListQuery, listPage, pageOfRows, type ListRules } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { RouteStore } from './store.js';
import {
  RouteBatchUpdate, RouteCreate, RouteListQuery, RouteRow, RouteUpdate, RouteWithParams, VerifiedRouteRow,
} from './schema.js';
import { paramsOf, routeParamDragRoutes, routeParamRoutes } from './params.js';
import { routeImportExportRoutes } from './import-export.js';

const listing: ListRules<'routes'> = {
  sortable: ['id', 'name', 'prefix', 'max_length', 'context', 'dest_type', 'disabled', 'created_at', 'updated_at'],
  searchable: ['name', 'description', 'prefix', 'body'],
  defaultSort: 'id',
  filters: {
    context: { column: 'context', match: 'exact' },
    dest_type: { column: 'dest_type', match: 'exact' },
    destType: { column: 'dest_type', match: 'exact' },
    disabled: { column: 'disabled', match: 'exact' },
    name: { column: 'name', match: 'contains' },
  },
};

const ListRoutesQuery = Type.Object({ ...ListQuery.properties, ...RouteListQuery.properties });
type ListRoutesQuery = Static<typeof ListRoutesQuery>;

const VerifiedPage = PageOf(VerifiedRouteRow);
const RouteCreated = Type.Object({ code: Type.Integer(), message: Type.String(), data: RouteRow });
const BatchUpdated = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(Type.Unknown()) });

/**
 * Verification rows carry the legacy `work_time` column; VerifiedRouteRow renders every value as a
 * string. The route table hands out the same row object until the route changes, so the wire form
 * is made once per row version.
 */
const verifiedRows = new WeakMap<Row<'routes'>, ReturnType<typeof defaultWire<Row<'routes'>>> & { work_time: string }>();
function verifiedWire(row: Row<'routes'>) {
  let wire = verifiedRows.get(row);
  if (!wire) {
    wire = { ...defaultWire(row), work_time: '' };
    verifiedRows.set(row, wire);
  }
  return wire;
}

export async function routeRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const { routeTable } = app;
  const store = new RouteStore(app.db, app.writes, app.destinations);
  const tags = ['routes'];
  // A context cannot go while a route is in it.
  app.references.add('contexts', async ({ trx }, context) => {
    const route = await trx.selectFrom('routes').select(['id', 'name']).where('context', '=', context.key).orderBy('id').executeTakeFirst();
    return route ? `route "${route.name}" (id ${route.id})` : undefined;
  });

  /** Route verification: the routes a call to `destNumber` would consider, in decision order. */
  async function verify(query: ListRoutesQuery) {
    const destNumber = query.destNumber!;
    const contexts = query.context
      ? [query.context]
      : (await app.db.kysely.selectFrom('contexts').select('key').orderBy('key').execute()).map((row) => row.key);
    const ids: number[] = [];
    for (const context of contexts) {
      for (const route of await routeTable.candidates(context, destNumber)) ids.push(route.id);
    }
    if (ids.length === 0) throw notFound();
    const destType = query.destType ?? query.dest_type;
    const matching = (await routeTable.rowsOf(ids))
      .filter((row) => !destType || row.dest_type === destType)
      .filter((row) => !query.dest || row.dest_uuid === query.dest || row.body === query.dest);
    if (matching.length === 0) throw notFound();
    const page = pageOfRows(matching, query);
    return { ...page, data: page.data.map(verifiedWire) };
  }

  app.get('/api/routes', {
    schema: {
      tags,
      summary: 'List routes, or verify which routes a number takes',
      description: 'With `destNumber` (and usually `context`) the answer is route verification: the candidate routes in decision order, the first being the one a call takes, every value a string as in the spec; 404 when none match.',
      querystring: ListRoutesQuery,
      response: { 200: PageOf(RouteRow), 404: Message },
    },
  }, async (request, reply) => {
    const query = request.query;
    if (query.destNumber !== undefined && query.destNumber !== '') {
      const page = await verify(query);
      return sendWithSchema(reply, page, VerifiedPage);
    }
    const page = await listPage(app.db.kysely, app.db.dialect, 'routes', query, listing, (qb) =>
      query.dest ? qb.where((eb) => eb.or([eb('dest_uuid', '=', query.dest), eb('body', '=', query.dest)])) : qb);
    return { ...page, data: page.data.map(defaultWire) };
  });

  app.get('/api/routes/:id', {
    schema: {
      tags,
      summary: 'Get a route',
      params: IdParams,
      querystring: Type.Object({ with_params: Type.Optional(Type.Boolean()) }),
      response: { 200: RouteWithParams, 404: Message },
    },
  }, async (request) => {
    const route = defaultWire(await store.get(request.params.id));
    if (!request.query.with_params) return route;
    return { ...route, params: await paramsOf(app.db, route.id) };
  });

  app.post('/api/routes', {
    schema: { tags, summary: 'Create a route (answers the whole row)', body: RouteCreate, response: { 200: RouteCreated } },
  }, async (request) => ({ code: 200, message: 'success', data: defaultWire(await store.create(request.body)) }));

  app.put('/api/routes', {
    schema: {
      tags,
      summary: 'Edit several routes at once',
      description: 'Only the listed fields are set, on every route in `route`; all or nothing.',
      body: RouteBatchUpdate,
      response: { 200: BatchUpdated },
    },
  }, async (request) => {
    const { route, ...fields } = request.body;
    const count = await store.updateMany(route, fields);
    return { data: [], code: 200, message: `update rows ${count}` };
  });

  app.put('/api/routes/:id', {
    schema: { tags, summary: 'Update a route, or toggle `disabled` with {"action":"toggle"}', params: IdParams, body: RouteUpdate, response: { 200: ChangedEnvelope } },
  }, async (request) => {
    await store.update(request.params.id, request.body);
    return changed(request.params.id);
  });

  app.delete('/api/routes/:id', {
    schema: { tags, summary: 'Delete a route with its params and time segments', params: IdParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await store.remove(request.params.id);
    return changed(request.params.id);
  });

  await app.register(routeParamRoutes, { store });
  // Fixed paths (`/api/routes/download`) are registered as such, so `/:id` does not take them.
  await app.register(routeImportExportRoutes, { store, listing });
  await app.register(routeParamDragRoutes);
}
