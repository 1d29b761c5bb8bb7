import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, NewRow, Row } from '../../db/schema.js';
import { LOOKUP_CHUNK, idsByValue, insertInBatches } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { exportPage, listPage, listQueryWithFilters, type ListRules } from '../../http/kit/listing.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { DODS_TOPIC, assertLineNumber, importedCells, sheetDownload } from '../hotlines/numbers.js';
import { DOD_COLUMNS, DodCreate, DodImport, DodImported, DodPage, DodRow, DodUpdate } from './schema.js';

const TAG = 'dods';
type DodValues = Omit<NewRow<'dods'>, 'created_at' | 'updated_at'>;

/** The ways out a DOD can name: the table its ref_id is a row of, and how one is called. */
const WAYS_OUT = {
  GATEWAY: { table: 'gateways', noun: 'gateway' },
  TRUNKS: { table: 'trunks', noun: 'trunk' },
} as const;
type WayOut = keyof typeof WAYS_OUT;

function wayOutType(type: string, field: string): WayOut {
  if (type === 'GATEWAY' || type === 'TRUNKS') return type;
  // CherryPBX's extension page offers the type as TRUNK (its DOD page as TRUNKS).
  if (type === 'TRUNK') return 'TRUNKS';
  if (type === 'DISTRIBUTORS') throw badRequest(field, 'DISTRIBUTORS is not supported: Switchboard has no distributors; use GATEWAY or TRUNKS');
  throw badRequest(field, `"${type}" must be GATEWAY or TRUNKS`);
}

/** The extension `extn` names, held until commit; a 400 names `field` when there is none or it is ambiguous. */
async function heldExtension(scope: WriteScope, extn: string, field: string): Promise<Row<'extensions'>> {
  const found = await scope.trx.selectFrom('extensions').select('id').where('extn', '=', extn).limit(2).execute();
  if (found.length > 1) throw badRequest(field, `extension "${extn}" exists in several domains`);
  const extension = found[0] && await scope.lock('extensions', 'id', found[0].id, 'share');
  if (!extension) throw badRequest(field, `no extension "${extn}"`);
  return extension;
}

/**
 * The gateway or trunk named `name` (or, without a name, of id `refId`), held until commit. A
 * `name` that names none but is the id of one, with no `refId`, is taken as that id: CherryPBX's
 * extension page sends its picker's value, the id, as the name when the list's ids are numbers
 * (trunks'), which its strict comparison with the picked string then fails to resolve.
 */
async function heldWayOut(scope: WriteScope, type: WayOut, named: { name?: string; refId?: string }, fields: { name: string; refId: string }): Promise<number> {
  const { table, noun } = WAYS_OUT[type];
  if (named.name !== undefined) {
    const row = await scope.lock(table, 'name', named.name, 'share')
      ?? (named.refId === undefined && /^[1-9][0-9]{0,9}$/.test(named.name) ? await scope.lock(table, 'id', Number(named.name), 'share') : undefined);
    if (!row) throw badRequest(fields.name, `no ${noun} "${named.name}"`);
    return row.id;
  }
  if (named.refId === undefined) throw badRequest(fields.name, `must name the ${noun}`);
  const row = await scope.lock(table, 'id', Number(named.refId), 'share');
  if (!row) throw badRequest(fields.refId, `no ${noun} with id ${named.refId}`);
  return row.id;
}

/** One line per extension and way out (CherryPBX recognises "duplicate key" in the message). */
async function assertWayOutFree(scope: WriteScope, values: Pick<DodValues, 'extn_id' | 'type' | 'ref_id'>, field: string, except?: number): Promise<void> {
  const taken = await scope.trx.selectFrom('dods').select('id')
    .where('extn_id', '=', values.extn_id).where('type', '=', values.type).where('ref_id', '=', values.ref_id).executeTakeFirst();
  if (taken && taken.id !== except) throw duplicateWayOut(field, values.type as WayOut, `DOD ${taken.id}`);
}

const duplicateWayOut = (field: string, type: WayOut, other: string) =>
  conflict(field, `duplicate key: the extension already has ${other} on this ${WAYS_OUT[type].noun}`);
const wayOutKey = (values: Pick<DodValues, 'extn_id' | 'type' | 'ref_id'>) => `${values.extn_id}:${values.type}:${values.ref_id}`;

/** DOD rows with their extension's extn and their gateway's or trunk's name, read through the ids. */
async function withNames(db: Kysely<Database>, rows: readonly Row<'dods'>[]) {
  const idsOf = (type: WayOut) => [...new Set(rows.filter((row) => row.type === type).map((row) => row.ref_id))];
  const extnIds = [...new Set(rows.map((row) => row.extn_id))];
  const [extensions, gateways, trunks] = await Promise.all([
    extnIds.length ? db.selectFrom('extensions').select(['id', 'extn']).where('id', 'in', extnIds).execute() : [],
    idsOf('GATEWAY').length ? db.selectFrom('gateways').select(['id', 'name']).where('id', 'in', idsOf('GATEWAY')).execute() : [],
    idsOf('TRUNKS').length ? db.selectFrom('trunks').select(['id', 'name']).where('id', 'in', idsOf('TRUNKS')).execute() : [],
  ]);
  const extns = new Map(extensions.map((row) => [row.id, row.extn]));
  const names = { GATEWAY: new Map(gateways.map((row) => [row.id, row.name])), TRUNKS: new Map(trunks.map((row) => [row.id, row.name])) };
  return rows.map((row) => ({
    ...defaultWire(row),
    extn: extns.get(row.extn_id) ?? '',
    name: names[row.type as WayOut]?.get(row.ref_id) ?? '',
  }));
}

const stringIds = <R extends { id: number; extn_id: number; ref_id: number }>(row: R) =>
  ({ ...row, id: String(row.id), extn_id: String(row.extn_id), ref_id: String(row.ref_id) });

const listing: ListRules<'dods'> = {
  sortable: ['id', 'line_number', 'type', 'extn_id', 'ref_id', 'created_at', 'updated_at'],
  searchable: ['line_number', 'type'],
  defaultSort: 'id',
  filters: { line_number: { column: 'line_number', match: 'contains' } },
};
const ListDodsQuery = Type.Object({
  ...listQueryWithFilters(listing).properties,
  extn: Type.Optional(Type.String({ description: 'an extension number: its DODs' })),
});

/** Resolves a create's or an update's names to ids; `current` is the row being updated. */
async function resolvedValues(
  scope: WriteScope,
  input: Static<typeof DodUpdate>,
  current: Row<'dods'> | undefined,
  field: (name: 'extn' | 'type' | 'name' | 'ref_id' | 'line_number') => string,
): Promise<DodValues> {
  const extnId = input.extn === undefined ? current?.extn_id : (await heldExtension(scope, input.extn, field('extn'))).id;
  if (extnId === undefined) throw badRequest(field('extn'), 'is required');
  const typeText = input.type ?? current?.type;
  if (typeText === undefined) throw badRequest(field('type'), 'is required');
  const type = wayOutType(typeText, field('type'));
  const name = input.name ?? undefined;
  const renamed = name !== undefined || input.ref_id !== undefined;
  if (current && !renamed && type !== current.type) throw badRequest(field('name'), `must name the ${WAYS_OUT[type].noun} when type changes`);
  const refId = current && !renamed
    ? current.ref_id
    : await heldWayOut(scope, type, { ...(name === undefined ? {} : { name }), ...(input.ref_id === undefined ? {} : { refId: input.ref_id }) },
      { name: field('name'), refId: field('ref_id') });
  const lineNumber = input.line_number ?? current?.line_number;
  if (lineNumber === undefined) throw badRequest(field('line_number'), 'is required');
  const values = { extn_id: extnId, type, ref_id: refId, line_number: lineNumber };
  await assertWayOutFree(scope, values, field(input.extn === undefined && name !== undefined ? 'name' : 'extn'), current?.id);
  return values;
}

const dodCrud = crudRoutes({
  table: 'dods',
  path: '/api/dods',
  tag: TAG,
  listRow: DodRow,
  detailRow: DodRow,
  createBody: DodCreate,
  updateBody: DodUpdate,
  // List and detail carry the extension's extn and the gateway's name, read through the ids.
  operations: ['create', 'update', 'delete'],
  listing,
  describe: (row) => `DOD ${row.line_number} (id ${row.id})`,
  topic: DODS_TOPIC,
  beforeCreate: (input, scope) => resolvedValues(scope, input, undefined, (name) => name),
  beforeUpdate: (input, existing, scope) => resolvedValues(scope, input, existing, (name) => name),
});

/** A row of the import, checked in itself, with how to name its fields in messages. */
function importedRow(row: Static<typeof DodImport>['dods'][number], index: number) {
  const cells = importedCells(DOD_COLUMNS, row, 'dods', index);
  const required = (name: keyof typeof DOD_COLUMNS) => {
    const value = cells.value(name);
    if (value === '') throw badRequest(cells.field(name), 'is required');
    return value;
  };
  return {
    extn: required('extn'),
    line_number: assertLineNumber(cells.value('line_number'), cells.field('line_number')),
    type: wayOutType(required('type'), cells.field('type')),
    name: required('name'),
    field: cells.field,
  };
}

/**
 * The rows of an import resolved to ids in a few queries whatever their number (extensions by
 * extn, gateways and trunks by name, the DODs already there), each held until commit; the first
 * row with an unknown, ambiguous or taken one is a 4xx naming it.
 */
async function importedValues(scope: WriteScope, rows: ReturnType<typeof importedRow>[]): Promise<DodValues[]> {
  const extensions = await idsByValue(scope.trx, 'extensions', 'extn', rows.map((row) => row.extn));
  const wayOuts = {
    GATEWAY: await idsByValue(scope.trx, 'gateways', 'name', rows.filter((row) => row.type === 'GATEWAY').map((row) => row.name)),
    TRUNKS: await idsByValue(scope.trx, 'trunks', 'name', rows.filter((row) => row.type === 'TRUNKS').map((row) => row.name)),
  };
  const values = rows.map((row): DodValues => {
    const extnIds = extensions.get(row.extn) ?? [];
    if (extnIds.length === 0) throw badRequest(row.field('extn'), `no extension "${row.extn}"`);
    if (extnIds.length > 1) throw badRequest(row.field('extn'), `extension "${row.extn}" exists in several domains`);
    const refId = wayOuts[row.type].get(row.name)?.[0];
    if (refId === undefined) throw badRequest(row.field('name'), `no ${WAYS_OUT[row.type].noun} "${row.name}"`);
    return { extn_id: extnIds[0]!, type: row.type, ref_id: refId, line_number: row.line_number };
  });
  await scope.lockIds('extensions', values.map((row) => row.extn_id), 'share');
  for (const type of ['GATEWAY', 'TRUNKS'] as const) {
    await scope.lockIds(WAYS_OUT[type].table, values.filter((row) => row.type === type).map((row) => row.ref_id), 'share');
  }
  const existing = new Map<string, number>();
  const extnIds = [...new Set(values.map((row) => row.extn_id))];
  for (let start = 0; start < extnIds.length; start += LOOKUP_CHUNK) {
    const dods = await scope.trx.selectFrom('dods').selectAll().where('extn_id', 'in', extnIds.slice(start, start + LOOKUP_CHUNK)).execute();
    for (const dod of dods) existing.set(wayOutKey(dod), dod.id);
  }
  const seen = new Map<string, number>();
  values.forEach((row, index) => {
    const key = wayOutKey(row);
    const taken = existing.get(key);
    if (taken !== undefined) throw duplicateWayOut(rows[index]!.field('extn'), row.type as WayOut, `DOD ${taken}`);
    const earlier = seen.get(key);
    if (earlier !== undefined) throw duplicateWayOut(rows[index]!.field('extn'), row.type as WayOut, `row ${earlier}`);
    seen.set(key, index);
  });
  return values;
}

export async function dodRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.references.add('extensions', async ({ trx }, extension) => {
    const dod = await trx.selectFrom('dods').select(['id', 'line_number']).where('extn_id', '=', extension.id).orderBy('id').executeTakeFirst();
    return dod ? `DOD ${dod.line_number} (id ${dod.id})` : undefined;
  });
  app.extensionDetails.contribute('dods', async (trx, extension) =>
    (await withNames(trx, await trx.selectFrom('dods').selectAll().where('extn_id', '=', extension.id).orderBy('id').execute())).map(stringIds));
  // CherryPBX's extension page shows and edits one DOD through flat fields, and creates a new DOD
  // on every save unless dod_id names the existing one.
  app.extensionDetails.contributeFields(async (trx, extension) => {
    const first = await trx.selectFrom('dods').selectAll().where('extn_id', '=', extension.id).orderBy('id').limit(1).execute();
    const [dod] = await withNames(trx, first);
    return dod ? { dod_id: String(dod.id), line_number: dod.line_number, dod_type: dod.type, dod_name: dod.name ?? '', ref_id: String(dod.ref_id) } : {};
  });
  for (const [type, { table }] of Object.entries(WAYS_OUT)) {
    app.references.add(table, async ({ trx }, row) => {
      const dod = await trx.selectFrom('dods').select(['id', 'line_number']).where('type', '=', type).where('ref_id', '=', row.id).orderBy('id').executeTakeFirst();
      return dod ? `DOD ${dod.line_number} (id ${dod.id})` : undefined;
    });
  }

  app.get('/api/dods', {
    schema: { tags, summary: 'List DODs', querystring: ListDodsQuery, response: { 200: DodPage } },
  }, async (request) => {
    const { extn, ...query } = request.query;
    const page = await listPage(db, app.db.dialect, 'dods', query, listing, (qb) => (extn === undefined || extn === ''
      ? qb
      : qb.where('extn_id', 'in', db.selectFrom('extensions').select('id').where('extn', '=', extn.trim()))));
    return { ...page, hpack: false, data: (await withNames(db, page.data)).map(stringIds) };
  });

  sheetDownload(app, {
    path: '/api/dods', tag: TAG, nouns: 'DODs', columns: DOD_COLUMNS,
    rowsOf: async (query) => withNames(db, (await exportPage(db, app.db.dialect, 'dods', query, listing)).data),
  });

  app.post('/api/dods/import', {
    schema: {
      tags,
      summary: 'Import DODs keyed by the spec\'s columns (分机, 线路号码, 资源类型, 资源名) or the field names; all or nothing',
      description: 'A refused row answers 4xx naming it, `dods.<index>.<column>: <problem>`, and nothing is imported.',
      body: DodImport,
      response: { 200: DodImported },
    },
  }, async (request) => {
    const rows = request.body.dods.map(importedRow);
    const inserted = await app.writes.run(async (scope) => {
      const stored = await insertInBatches(scope.trx, 'dods', await importedValues(scope, rows));
      scope.changed(DODS_TOPIC, stored.map((row) => row.id));
      return stored;
    });
    return { code: 200, message: 'success', data: await withNames(db, inserted) };
  });

  app.get('/api/dods/:id', {
    schema: { tags, summary: 'Get one DOD', params: IdParams, response: { 200: DodRow, 404: Message } },
  }, async (request) => {
    const row = await db.selectFrom('dods').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!row) throw notFound();
    return stringIds((await withNames(db, [row]))[0]!);
  });

  await app.register(dodCrud);
}
