import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, NewRow, Row } from '../../db/schema.js';
import { insertInBatches, presentValues } from '../../db/queries.js';
import { conflict } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { PageOf } from '../../http/kit/envelopes.js';
import { LIST_CAP, escapeLike, exportPage, listPage, listQueryWithFilters, type ListRules } from '../../http/kit/listing.js';
import { HOTLINES_TOPIC, assertExtensionsExist, assertLineNumber, extensionNumbers, importedCells, sheetDownload } from './numbers.js';
import { HOTLINE_COLUMNS, HotlineCreate, HotlineImport, HotlineImported, HotlineRow, HotlineUpdate } from './schema.js';

const TAG = 'hotlines';
type HotlineValues = Omit<NewRow<'hotlines'>, 'created_at' | 'updated_at'>;

const toWire = (row: Row<'hotlines'>) => ({ ...defaultWire(row), id: String(row.id) });
const describeHotline = (row: Row<'hotlines'>) => `DID ${row.line_number} (id ${row.id})`;

/** DIDs whose numbers list `extn`: numbers are stored as `a,b,c`, so `,a,b,c,` holds `,extn,`. */
const listsExtension = (extn: string) =>
  sql<boolean>`(',' || ${sql.ref('numbers')} || ',') like ${`%,${escapeLike(extn)},%`} escape '\\'`;

/** `numbers` checked against the extensions and stored as `a,b,c`. */
async function storedNumbers(db: Kysely<Database>, numbers: string, field: string): Promise<string> {
  const extns = extensionNumbers(numbers, field);
  await assertExtensionsExist(db, [extns], () => field);
  return extns.join(',');
}

const assertLineFree = (db: Kysely<Database>, lineNumber: string, field: string, except?: number) =>
  assertValueFree(db, 'hotlines', 'line_number', lineNumber, { noun: 'DID', field, ...(except === undefined ? {} : { except }) });

const listing: ListRules<'hotlines'> = {
  sortable: ['id', 'line_number', 'numbers', 'created_at', 'updated_at'],
  searchable: ['line_number', 'numbers', 'description'],
  defaultSort: 'id',
  filters: { line_number: { column: 'line_number', match: 'contains' } },
};
const ListHotlinesQuery = Type.Object({
  ...listQueryWithFilters(listing).properties,
  numbers: Type.Optional(Type.String({ description: 'an extension number: the DIDs that ring it' })),
});

const hotlineCrud = crudRoutes({
  table: 'hotlines',
  path: '/api/hotlines',
  tag: TAG,
  listRow: HotlineRow,
  detailRow: HotlineRow,
  createBody: HotlineCreate,
  updateBody: HotlineUpdate,
  // The list filters on one extension of `numbers`, which the kit's filters cannot say.
  operations: ['get', 'create', 'update', 'delete'],
  listing,
  toWire,
  describe: describeHotline,
  topic: HOTLINES_TOPIC,
  async beforeCreate(input, scope) {
    await assertLineFree(scope.trx, input.line_number, 'line_number');
    return {
      line_number: input.line_number,
      numbers: await storedNumbers(scope.trx, input.numbers, 'numbers'),
      description: input.description ?? '',
      type: input.type ?? '',
      ref_id: input.ref_id ?? '',
    };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.line_number !== undefined) await assertLineFree(scope.trx, input.line_number, 'line_number', existing.id);
    return { ...input, ...(input.numbers === undefined ? {} : { numbers: await storedNumbers(scope.trx, input.numbers, 'numbers') }) };
  },
});

type ImportRow = Static<typeof HotlineImport>['dids'][number];

/** A row of the import as the values to insert, and how to name its fields in messages. */
function importedValues(row: ImportRow, index: number) {
  const cells = importedCells(HOTLINE_COLUMNS, row, 'dids', index);
  const values: HotlineValues = {
    line_number: assertLineNumber(cells.value('line_number'), cells.field('line_number')),
    numbers: cells.value('numbers'),
    description: cells.value('description'),
    type: '',
    ref_id: '',
  };
  return { values, field: cells.field };
}

export async function hotlineRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.references.add('extensions', async ({ trx }, extension) => {
    const hotline = await trx.selectFrom('hotlines').select(['id', 'line_number']).where(listsExtension(extension.extn)).orderBy('id').executeTakeFirst();
    return hotline ? `DID ${hotline.line_number} (id ${hotline.id})` : undefined;
  });
  app.extensionDetails.contribute('dids', async (trx, extension) =>
    (await trx.selectFrom('hotlines').selectAll().where(listsExtension(extension.extn)).orderBy('id').limit(LIST_CAP).execute()).map(toWire));

  app.get('/api/hotlines', {
    schema: { tags, summary: 'List DIDs', querystring: ListHotlinesQuery, response: { 200: PageOf(HotlineRow) } },
  }, async (request) => {
    const { numbers, ...query } = request.query;
    const page = await listPage(db, app.db.dialect, 'hotlines', query, listing,
      (qb) => (numbers === undefined || numbers === '' ? qb : qb.where(listsExtension(numbers.trim()))));
    return { ...page, data: page.data.map(toWire) };
  });

  sheetDownload(app, {
    path: '/api/hotlines', tag: TAG, nouns: 'DIDs', columns: HOTLINE_COLUMNS,
    rowsOf: async (query) => (await exportPage(db, app.db.dialect, 'hotlines', query, listing)).data,
  });

  app.post('/api/hotlines/import', {
    schema: {
      tags,
      summary: 'Import DIDs, one per row, keyed by the export\'s columns (线路号码, 分机, 描述) or the field names; all or nothing',
      description: 'A refused row answers 4xx naming it, `dids.<index>.<column>: <problem>`, and nothing is imported.',
      body: HotlineImport,
      response: { 200: HotlineImported },
    },
  }, async (request) => {
    const rows = request.body.dids.map(importedValues);
    const seen = new Map<string, number>();
    rows.forEach(({ values, field }, index) => {
      const earlier = seen.get(values.line_number);
      if (earlier !== undefined) throw conflict(field('line_number'), `DID ${values.line_number} is also row ${earlier}`);
      seen.set(values.line_number, index);
    });
    const numbers = rows.map(({ values, field }) => extensionNumbers(values.numbers, field('numbers')));
    const inserted = await app.writes.run(async (scope) => {
      const taken = await presentValues(scope.trx, 'hotlines', 'line_number', rows.map(({ values }) => values.line_number));
      const clash = rows.find(({ values }) => taken.has(values.line_number));
      if (clash) throw conflict(clash.field('line_number'), `DID "${clash.values.line_number}" already exists`);
      await assertExtensionsExist(scope.trx, numbers, (index) => rows[index]!.field('numbers'));
      const stored = await insertInBatches(scope.trx, 'hotlines', rows.map(({ values }, index) => ({ ...values, numbers: numbers[index]!.join(',') })));
      scope.changed(HOTLINES_TOPIC, stored.map((row) => row.id));
      return stored;
    });
    return { code: 200, message: 'success', data: inserted.map(toWire) };
  });

  await app.register(hotlineCrud);
}
