import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Row } from '../../db/schema.js';
import { defaultWire } from '../../http/kit/crud.js';
import { LIST_CAP, ListQuery, SheetReply, asSheet, exportDescription, exportPage, type ListRules } from '../../http/kit/listing.js';
import { Flag } from '../../http/kit/types.js';
import { RouteCreate, RouteRow } from './schema.js';
import type { RouteStore } from './store.js';

/**
 * The columns of an export, in order, named as the route's fields: the header row CherryPBX turns
 * into a spreadsheet, and the keys its import sends back for each row. `id` is exported (CherryPBX
 * sorts on the first column) and ignored on import, which always creates routes.
 */
export const EXPORT_COLUMNS = [
  'id', 'name', 'description', 'prefix', 'max_length', 'context', 'dest_type', 'dest_uuid', 'body',
  'dnc', 'sdnc', 'auto_record', 'proxy_media', 'media_codec', 'route_type', 'bill_rate', 'blacklist',
  'cid_number', 'did_enabled', 'ringback_enabled', 'ringback_tone', 'force_video_recording', 'disabled',
] as const satisfies readonly (keyof Row<'routes'>)[];

const ExportQuery = Type.Object({
  page: ListQuery.properties.page,
  perPage: ListQuery.properties.perPage,
  language: Type.Optional(Type.String({ description: 'accepted for CherryPBX; the header row is the field names in every language, so that an export imports back' })),
  type: Type.Optional(Type.String({ description: 'accepted for CherryPBX ("All Route")' })),
  context: Type.Optional(Type.String()),
  dest_type: Type.Optional(Type.String()),
  destType: Type.Optional(Type.String({ description: 'alias of dest_type' })),
  disabled: Type.Optional(Flag),
  name: Type.Optional(Type.String({ description: 'substring of the name' })),
});

const ImportBody = Type.Object({
  routes: Type.Array(RouteCreate, { minItems: 1, maxItems: LIST_CAP, description: 'rows keyed by the export\'s header row; numbers may be text' }),
});

/** `listing`: the route list's rules, whose filters the export takes too. */
export async function routeImportExportRoutes(parent: FastifyInstance, options: { store: RouteStore; listing: ListRules<'routes'> }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['routes'];

  app.get('/api/routes/download', {
    schema: {
      tags,
      summary: 'Export routes as rows of cells (a header row of field names, then one row per route by id)',
      description: exportDescription('routes'),
      querystring: ExportQuery,
      response: { 200: SheetReply },
    },
  }, async (request) => {
    const page = await exportPage(app.db.kysely, app.db.dialect, 'routes', request.query, options.listing);
    return asSheet(EXPORT_COLUMNS, page.data);
  });

  app.post('/api/routes/upload', {
    schema: {
      tags,
      summary: 'Import routes (all or nothing): {"routes":[rows as exported]}',
      description: 'Every row creates a route with the checks of a single create; a refused row answers 4xx naming it, `routes.<index>.<field>: <problem>`, and nothing is imported. The answer lists the created routes.',
      body: ImportBody,
      response: { 200: Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(RouteRow) }) },
    },
  }, async (request) => {
    const rows = await options.store.createMany(request.body.routes);
    return { code: 200, message: 'success', data: rows.map(defaultWire) };
  });
}
