import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { conflict, notFound, uniqueViolation } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { ChangedEnvelope, CreatedEnvelope, changed, created } from '../../http/kit/envelopes.js';
import { ListQuery, pageSize } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { assertDistinct, conflictOnTaken, insertInBatches } from '../blacklists/bulk.js';
import { NUMBER_TRANSLATION_TOPIC } from '../blacklists/routing-lists.js';
import {
  TableCreate, TableRow, TableUpdate, TranslationCreate, TranslationImport, TranslationNumbers, TranslationParams, TranslationUpdate,
} from './schema.js';

const TAG = 'number_translation';

const toWire = (row: Row<'number_translations'>) => ({ ...defaultWire(row), id: String(row.id) });

function numberWire(row: Row<'number_translation_numbers'>) {
  const { table_id: _table, ...rest } = defaultWire(row);
  return { ...rest, id: String(row.id) };
}

const assertNameFree = (db: Kysely<Database>, name: string, except?: number) =>
  assertValueFree(db, 'number_translations', 'name', name, { noun: 'number translation table', ...(except === undefined ? {} : { except }) });

/** Routes whose dnc or sdnc names the table (number-translation.ts: `s/prefix_nts_<id>/…`). */
async function routeNaming(db: Kysely<Database>, tableId: number): Promise<Row<'routes'> | undefined> {
  const names = (column: 'dnc' | 'sdnc') => sql<boolean>`${sql.ref(column)} like ${`s/prefix\\_nts\\_${tableId}/%`} escape '\\' or ${sql.ref(column)} like ${`s/exact\\_nts\\_${tableId}/%`} escape '\\'`;
  return db.selectFrom('routes').selectAll().where((eb) => eb.or([names('dnc'), names('sdnc')])).orderBy('id').executeTakeFirst();
}

const tableCrud = crudRoutes({
  table: 'number_translations',
  path: '/api/number_translation',
  tag: TAG,
  listRow: TableRow,
  detailRow: TableRow,
  createBody: TableCreate,
  updateBody: TableUpdate,
  listing: {
    sortable: ['id', 'name', 'type', 'created_at', 'updated_at'],
    searchable: ['name', 'description'],
    defaultSort: 'id',
    defaultOrder: 'desc',
    filters: {
      name: { column: 'name', match: 'contains' },
      type: { column: 'type', match: 'exact' },
    },
  },
  toWire,
  describe: (row) => `number translation table "${row.name}" (id ${row.id})`,
  topic: NUMBER_TRANSLATION_TOPIC,
  async beforeCreate(input, scope) {
    await assertNameFree(scope.trx, input.name);
    return { description: '', ...input };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.name !== undefined) await assertNameFree(scope.trx, input.name, existing.id);
    return input;
  },
  async beforeDelete(existing, scope) {
    await scope.trx.deleteFrom('number_translation_numbers').where('table_id', '=', existing.id).execute();
  },
});

async function heldTable(scope: WriteScope, id: number): Promise<void> {
  if (!await scope.lock('number_translations', 'id', id, 'share')) throw notFound();
}

async function lockedTranslation(scope: WriteScope, tableId: number, id: number): Promise<void> {
  const row = await lockedById(scope, 'number_translation_numbers', id);
  if (row.table_id !== tableId) throw notFound();
}

function asTaken(error: unknown, number: string | undefined): never {
  if (uniqueViolation(error)) throw conflict('original_number', `"${number}" is already in this table`);
  throw error;
}

const NumbersQuery = Type.Object({
  page: ListQuery.properties.page,
  perPage: ListQuery.properties.perPage,
  page_size: ListQuery.properties.page_size,
  pageSize: ListQuery.properties.pageSize,
});

export async function numberTranslationRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;
  const { writes } = app;

  app.references.add('number_translations', async ({ trx }, table) => {
    const route = await routeNaming(trx, table.id);
    return route ? `route "${route.name}" (id ${route.id})` : undefined;
  });

  app.get('/api/number_translation/:id/numbers', {
    schema: {
      tags,
      summary: 'The numbers of a translation table, paged, with the table',
      params: IdParams,
      querystring: NumbersQuery,
      response: { 200: TranslationNumbers, 404: Message },
    },
  }, async (request) => {
    const table = await findById(db, 'number_translations', request.params.id);
    const base = db.selectFrom('number_translation_numbers').where('table_id', '=', table.id);
    const { size, paged } = pageSize(request.query);
    const page = paged ? (request.query.page ?? 1) : 1;
    const [{ count }, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      // Newest first, as the spec's example lists them.
      base.selectAll().orderBy('id', 'desc').limit(size).offset((page - 1) * size).execute(),
    ]);
    const rowCount = Number(count);
    return {
      nts_numbers: { page, rowCount, pageCount: Math.ceil(rowCount / size), data: rows.map(numberWire) },
      number_translation_info: [{ name: table.name, description: table.description, type: table.type }],
    };
  });

  app.post('/api/number_translation/:id/numbers', {
    schema: { tags, summary: 'Add a number to a translation table', params: IdParams, body: TranslationCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => {
    const { id } = request.params;
    const { original_number, nts_number } = request.body;
    const numberId = await writes.run(async (scope) => {
      await heldTable(scope, id);
      const now = storedNow();
      const row = await scope.trx.insertInto('number_translation_numbers')
        .values({ table_id: id, original_number, nts_number, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      scope.changed(NUMBER_TRANSLATION_TOPIC, [id]);
      return row.id;
    }).catch((error: unknown) => asTaken(error, original_number));
    return created(numberId);
  });

  app.post('/api/number_translation/:id/import', {
    schema: {
      tags,
      summary: 'Add many numbers to a translation table; all or nothing (answers the table id, as the spec does)',
      description: 'A refused number answers 4xx naming it, `<index>.<field>: <problem>`, and none is added.',
      params: IdParams,
      body: TranslationImport,
      response: { 200: CreatedEnvelope, 404: Message },
    },
  }, async (request) => {
    const { id } = request.params;
    const items = Array.isArray(request.body) ? request.body : request.body.data;
    const originals = items.map((item) => item.original_number);
    const field = (index: number) => `${index}.original_number`;
    assertDistinct(originals, field, 'original_number');
    await writes.run(async (scope) => {
      await heldTable(scope, id);
      const now = storedNow();
      await insertInBatches(scope.trx, 'number_translation_numbers',
        items.map(({ original_number, nts_number }) => ({ table_id: id, original_number, nts_number, created_at: now, updated_at: now })));
      scope.changed(NUMBER_TRANSLATION_TOPIC, [id]);
    }).catch((error: unknown) => uniqueViolation(error)
      ? conflictOnTaken(db, { table: 'number_translation_numbers', owner: 'table_id', ownerId: id, column: 'original_number' }, originals, field, 'original_number')
      : Promise.reject(error));
    return created(id);
  });

  app.put('/api/number_translation/:id/:nts_id', {
    schema: { tags, summary: 'Change a number of a translation table', params: TranslationParams, body: TranslationUpdate, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    const { id, nts_id } = request.params;
    await writes.run(async (scope) => {
      await lockedTranslation(scope, id, nts_id);
      await scope.trx.updateTable('number_translation_numbers').set({ ...request.body, updated_at: storedNow() }).where('id', '=', nts_id).execute();
      scope.changed(NUMBER_TRANSLATION_TOPIC, [id]);
    }).catch((error: unknown) => asTaken(error, request.body.original_number));
    return changed(nts_id);
  });

  app.delete('/api/number_translation/:id/:nts_id', {
    schema: { tags, summary: 'Remove a number from a translation table', params: TranslationParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    const { id, nts_id } = request.params;
    await writes.run(async (scope) => {
      await lockedTranslation(scope, id, nts_id);
      await scope.trx.deleteFrom('number_translation_numbers').where('id', '=', nts_id).execute();
      scope.changed(NUMBER_TRANSLATION_TOPIC, [id]);
    });
    return changed(nts_id);
  });

  await app.register(tableCrud);
}
