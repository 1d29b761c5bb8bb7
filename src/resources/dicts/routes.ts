import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { DictCreate, DictQuery, DictRow, DictUpdate } from './schema.js';

async function assertEntryFree(db: Kysely<Database>, realm: string, k: string, exceptId?: number): Promise<void> {
  let query = db.selectFrom('dicts').select('id').where('realm', '=', realm).where('k', '=', k);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst()) throw conflict('k', `"${k}" already exists in realm ${realm}`);
}

async function entries(db: Db, realm?: string, k?: string) {
  let query = db.kysely.selectFrom('dicts').selectAll();
  if (realm !== undefined) query = query.where('realm', '=', realm);
  if (k !== undefined) query = query.where('k', '=', k);
  const rows = await query.orderBy('realm').orderBy('o').orderBy('id').execute();
  return rows.map(defaultWire);
}

/** Dicts answer lists as bare arrays (the spec's shape); the rest is plain CRUD. */
export async function dictRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['dicts'];

  app.get('/api/dicts', {
    schema: { tags, summary: 'List dictionary entries', querystring: DictQuery, response: { 200: Type.Array(DictRow) } },
  }, async (request) => entries(app.db, request.query.realm, request.query.k));

  app.get('/api/dicts/realm/:realm', {
    schema: { tags, summary: 'List one realm', params: Type.Object({ realm: Type.String() }), response: { 200: Type.Array(DictRow) } },
  }, async (request) => entries(app.db, request.params.realm));

  await app.register(crudRoutes({
    table: 'dicts',
    path: '/api/dicts',
    tag: 'dicts',
    operations: ['get', 'create', 'update', 'delete'],
    listRow: DictRow,
    detailRow: DictRow,
    createBody: DictCreate,
    updateBody: DictUpdate,
    listing: { sortable: ['id'], searchable: [], defaultSort: 'id' },
    async beforeCreate(input, { trx }) {
      await assertEntryFree(trx, input.realm, input.k);
      return { realm: input.realm, k: input.k, v: input.v ?? '', d: input.d ?? '', o: input.o ?? 0 };
    },
    async beforeUpdate(input, existing, { trx }) {
      await assertEntryFree(trx, input.realm ?? existing.realm, input.k ?? existing.k, existing.id);
      return input;
    },
  }));
}
