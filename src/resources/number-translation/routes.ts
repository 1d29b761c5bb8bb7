import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { assertValueFree, crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import { badRequest } from '../../http/errors.js';
import { ChangedEnvelope, CreatedEnvelope, changed, created } from '../../http/kit/envelopes.js';
import { ListQuery, listPage, type ListRules } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { OwnedNumbers } from '../blacklists/owned-numbers.js';
import { NUMBER_TRANSLATION_TOPIC } from '../blacklists/routing-lists.js';
import { rowNamingTable } from './rules.js';
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
  async beforeUpdate({ type, ...input }, existing, scope) {
    if (type !== undefined && type !== existing.type) {
      throw badRequest('type', `a table's type cannot change (its numbers were written for ${existing.type} matching): create a new table`);
    }
    if (input.name !== undefined) await assertNameFree(scope.trx, input.name, existing.id);
    return input;
  },
  async beforeDelete(existing, scope) {
    await scope.trx.deleteFrom('number_translation_numbers').where('table_id', '=', existing.id).execute();
  },
});

/** A table's numbers, newest first as the spec's example lists them. */
const NUMBERS_LISTING: ListRules<'number_translation_numbers'> = { sortable: ['id'], searchable: [], defaultSort: 'id', defaultOrder: 'desc' };

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
  const numbers = new OwnedNumbers({
    owners: 'number_translations', table: 'number_translation_numbers', owner: 'table_id', number: 'original_number',
    topic: NUMBER_TRANSLATION_TOPIC, noun: 'original_number',
  }, app.writes, db);

  app.references.add('number_translations', async ({ trx }, table) => {
    const route = await rowNamingTable(trx, 'routes', table.id);
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
    const numbersPage = await listPage(db, app.db.dialect, 'number_translation_numbers', request.query, NUMBERS_LISTING,
      (qb) => qb.where('table_id', '=', table.id));
    return {
      nts_numbers: { ...numbersPage, data: numbersPage.data.map(numberWire) },
      number_translation_info: [{ name: table.name, description: table.description, type: table.type }],
    };
  });

  app.post('/api/number_translation/:id/numbers', {
    schema: { tags, summary: 'Add a number to a translation table', params: IdParams, body: TranslationCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => {
    const { original_number, nts_number } = request.body;
    return created(await numbers.add(request.params.id, { original_number, nts_number }));
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
    const items = Array.isArray(request.body) ? request.body : request.body.data;
    const columns = { original_number: items.map((item) => item.original_number), nts_number: items.map((item) => item.nts_number) };
    await numbers.addMany(request.params.id, columns, (index) => `${index}.original_number`);
    return created(request.params.id);
  });

  app.put('/api/number_translation/:id/:nts_id', {
    schema: { tags, summary: 'Change a number of a translation table', params: TranslationParams, body: TranslationUpdate, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await numbers.change(request.params.id, request.params.nts_id, request.body);
    return changed(request.params.nts_id);
  });

  app.delete('/api/number_translation/:id/:nts_id', {
    schema: { tags, summary: 'Remove a number from a translation table', params: TranslationParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await numbers.remove(request.params.id, request.params.nts_id);
    return changed(request.params.nts_id);
  });

  await app.register(tableCrud);
}
