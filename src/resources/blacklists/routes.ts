import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { HttpError, badRequest, conflict, notFound, uniqueViolation } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import { ChangedEnvelope, CreatedEnvelope, changed, created } from '../../http/kit/envelopes.js';
import { LIST_CAP, ListQuery } from '../../http/kit/listing.js';
import { sendRows } from '../../http/kit/rows-answer.js';
import { wireTime } from '../../http/kit/time.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { BLACKLISTS_TOPIC } from './routing-lists.js';
import { assertDistinct, insertRows } from './bulk.js';
import { OwnedNumbers } from './owned-numbers.js';
import {
  BLACKLIST_REALM, BlacklistCreate, BlacklistDetail, BlacklistNumberRow, BlacklistRow, BlacklistUpdate, NumberCreate,
  NumberImport, NumberMultiModify, NumberParams, NumberUpdate, SHEET_COLUMNS, SheetImport, SheetImported,
} from './schema.js';

const TAG = 'blacklists';

const describeBlacklist = (row: Pick<Row<'blacklists'>, 'id' | 'name'>) => `blacklist "${row.name}" (id ${row.id})`;

const toWire = (row: Row<'blacklists'>) => ({
  ...defaultWire(row),
  id: String(row.id),
  list_type: String(row.list_type),
  limit_user_type: String(row.limit_user_type),
});

function numberWire(row: Row<'blacklist_numbers'>) {
  const { blacklist_id, ...rest } = defaultWire(row);
  return { ...rest, ref_id: blacklist_id, realm: BLACKLIST_REALM };
}

const assertNameFree = (db: Kysely<Database>, name: string, field: string, except?: number) =>
  assertValueFree(db, 'blacklists', 'name', name, { noun: 'blacklist', field, ...(except === undefined ? {} : { except }) });

const blacklistCrud = crudRoutes({
  table: 'blacklists',
  path: '/api/blacklists',
  tag: TAG,
  listRow: BlacklistRow,
  detailRow: BlacklistDetail,
  createBody: BlacklistCreate,
  updateBody: BlacklistUpdate,
  // The detail carries the numbers.
  operations: ['list', 'create', 'update', 'delete'],
  listing: {
    sortable: ['id', 'name', 'list_type', 'limit_user_type', 'created_at', 'updated_at'],
    searchable: ['name', 'description'],
    defaultSort: 'id',
    filters: { name: { column: 'name', match: 'contains' } },
  },
  toWire,
  describe: describeBlacklist,
  topic: BLACKLISTS_TOPIC,
  async beforeCreate(input, scope) {
    await assertNameFree(scope.trx, input.name, 'name');
    return { description: '', ...input };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.name !== undefined) await assertNameFree(scope.trx, input.name, 'name', existing.id);
    return input;
  },
  async beforeDelete(existing, scope) {
    await scope.trx.deleteFrom('blacklist_numbers').where('blacklist_id', '=', existing.id).execute();
  },
});

/** The list of the URL, held until commit so that it is not deleted under its new numbers; 404 when there is none. */
async function heldList(scope: WriteScope, id: number): Promise<Row<'blacklists'>> {
  const list = await scope.lock('blacklists', 'id', id, 'share');
  if (!list) throw notFound();
  return list;
}

const ImportedNumbers = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(BlacklistNumberRow) });
const Modified = Type.Object({ code: Type.Integer(), message: Type.String(), data: BlacklistNumberRow });
const DetailQuery = Type.Object({
  page: ListQuery.properties.page,
  perPage: ListQuery.properties.perPage,
  page_size: ListQuery.properties.page_size,
});
const DownloadQuery = Type.Object({
  page: ListQuery.properties.page,
  perPage: ListQuery.properties.perPage,
  language: Type.Optional(Type.String({ description: 'accepted for CherryPBX; the header row is the import\'s Chinese column names in every language' })),
});

export async function blacklistRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;
  const { writes } = app;
  const numbers = new OwnedNumbers(
    { owners: 'blacklists', table: 'blacklist_numbers', owner: 'blacklist_id', number: 'v', topic: BLACKLISTS_TOPIC, noun: 'number' },
    writes, db,
  );

  app.references.add('blacklists', async ({ trx }, list) => {
    const route = await trx.selectFrom('routes').select(['id', 'name']).where('blacklist', '=', String(list.id)).orderBy('id').executeTakeFirst();
    return route ? `route "${route.name}" (id ${route.id})` : undefined;
  });

  app.get('/api/blacklists/download', {
    schema: {
      tags,
      summary: 'Export blacklists as rows of cells: the header 名称, 名单类型, 限制用户类型, 号码名称, 起始号码, then one row per number',
      description: `A list without numbers is one row with empty number cells. At most ${LIST_CAP} rows per request, the next ones with \`page\`.`,
      querystring: DownloadQuery,
      response: { 200: Type.Array(Type.Array(Type.Unknown())) },
    },
  }, async (request) => {
    const size = Math.min(request.query.perPage ?? LIST_CAP, LIST_CAP);
    const rows = await db.selectFrom('blacklists')
      .leftJoin('blacklist_numbers', 'blacklist_numbers.blacklist_id', 'blacklists.id')
      .select(['blacklists.name', 'blacklists.list_type', 'blacklists.limit_user_type', 'blacklist_numbers.k', 'blacklist_numbers.v'])
      .orderBy('blacklists.id').orderBy('blacklist_numbers.id')
      .limit(size).offset(((request.query.page ?? 1) - 1) * size)
      .execute();
    return [[...SHEET_COLUMNS], ...rows.map((row) => [row.name, row.list_type, row.limit_user_type, row.k ?? '', row.v ?? ''])];
  });

  app.post('/api/blacklists/import', {
    schema: {
      tags,
      summary: 'Import blacklists from spreadsheet rows keyed 名称, 名单类型, 限制用户类型, 号码名称, 起始号码; all or nothing',
      description: 'Rows with the same 名称 form one new list (they must agree on its types); a row with an empty 起始号码 adds no number. A refused row answers 4xx naming it, `lists.<index>.<column>: <problem>`, and nothing is imported.',
      body: SheetImport,
      response: { 200: SheetImported },
    },
  }, async (request) => {
    const rows = request.body.lists;
    const lists = new Map<string, { first: number; listType: number; limitUserType: number; numbers: { row: number; k: string; v: string }[] }>();
    rows.forEach((row, index) => {
      const list = lists.get(row.名称);
      if (!list) {
        lists.set(row.名称, { first: index, listType: row.名单类型, limitUserType: row.限制用户类型, numbers: [] });
      } else if (list.listType !== row.名单类型 || list.limitUserType !== row.限制用户类型) {
        const column = list.listType !== row.名单类型 ? '名单类型' : '限制用户类型';
        throw badRequest(`lists.${index}.${column}`, `differs from row ${list.first}, which starts list "${row.名称}"`);
      }
      if (row.起始号码) lists.get(row.名称)!.numbers.push({ row: index, k: row.号码名称 ?? '', v: row.起始号码 });
    });
    for (const list of lists.values()) {
      const numbers = list.numbers;
      assertDistinct(numbers.map((number) => number.v), (at) => `lists.${numbers[at]!.row}.起始号码`, 'number');
    }
    const stored = await writes.run(async (scope) => {
      const now = storedNow();
      const created: Row<'blacklists'>[] = [];
      for (const [name, list] of lists) {
        await assertNameFree(scope.trx, name, `lists.${list.first}.名称`);
        const row = await scope.trx.insertInto('blacklists')
          .values({ name, description: '', list_type: list.listType, limit_user_type: list.limitUserType, created_at: now, updated_at: now })
          .returningAll().executeTakeFirstOrThrow();
        const columns = { k: list.numbers.map((number) => number.k), v: list.numbers.map((number) => number.v) };
        await insertRows(scope.trx, scope.dialect, { table: 'blacklist_numbers', owner: 'blacklist_id', ownerId: row.id, createdAt: now, columns, indexed: 'v' });
        created.push(row);
      }
      scope.changed(BLACKLISTS_TOPIC, created.map((row) => row.id));
      return created;
    });
    return {
      code: 200,
      message: 'success',
      data: stored.map(({ id, name, description, list_type, limit_user_type }) => ({ id, name, description, list_type, limit_user_type })),
    };
  });

  app.get('/api/blacklists/:id', {
    schema: {
      tags,
      summary: 'One blacklist with its numbers as `params`',
      description: `The numbers in id order, at most ${LIST_CAP}; \`page\` and \`perPage\` page through a longer list.`,
      params: IdParams,
      querystring: DetailQuery,
      response: { 200: BlacklistDetail, 404: Message },
    },
  }, async (request) => {
    const list = await findById(db, 'blacklists', request.params.id);
    const size = Math.min(request.query.perPage ?? request.query.page_size ?? LIST_CAP, LIST_CAP);
    const numbers = await db.selectFrom('blacklist_numbers').selectAll().where('blacklist_id', '=', list.id)
      .orderBy('id').limit(size).offset(((request.query.page ?? 1) - 1) * size).execute();
    return { ...toWire(list), params: numbers.map(numberWire) };
  });

  app.post('/api/blacklists/:id/lists', {
    schema: { tags, summary: 'Add a number to a blacklist', params: IdParams, body: NumberCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => created(await numbers.add(request.params.id, { k: '', ...request.body })));

  app.put('/api/blacklists/:id/lists/:nid', {
    schema: { tags, summary: 'Change a number of a blacklist', params: NumberParams, body: NumberUpdate, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await numbers.change(request.params.id, request.params.nid, request.body);
    return changed(request.params.nid);
  });

  app.delete('/api/blacklists/:id/lists/:nid', {
    schema: { tags, summary: 'Remove a number from a blacklist', params: NumberParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    await numbers.remove(request.params.id, request.params.nid);
    return changed(request.params.nid);
  });

  app.post('/api/blacklists/:id/import', {
    schema: {
      tags,
      summary: 'Add many numbers to a blacklist; all or nothing',
      description: 'A refused number answers 4xx naming it, `data.<index>.<field>: <problem>`, and none is added. The answer lists the added numbers.',
      params: IdParams,
      body: NumberImport,
      response: { 200: ImportedNumbers, 404: Message },
    },
  }, async (request, reply) => {
    const listId = request.params.id;
    const items = Array.isArray(request.body) ? request.body : request.body.data;
    const k = items.map((item) => item.k ?? '');
    const v = items.map((item) => item.v);
    const { ids, createdAt } = await numbers.addMany(listId, { k, v }, (index) => `data.${index}.v`);
    // What numberWire makes of the stored rows, without reading a million of them back.
    const at = wireTime(createdAt);
    return sendRows(reply, items.length, {
      id: { integers: ids }, ref_id: { same: listId }, realm: { same: BLACKLIST_REALM }, k: { texts: k }, v: { texts: v },
      disabled: { same: 0 }, created_at: { same: at }, updated_at: { same: at }, deleted_at: { same: '' },
    });
  });

  app.put('/api/blacklists/:id/multimodify', {
    schema: {
      tags,
      summary: 'Change several numbers of a blacklist; all or nothing; answers the last one changed',
      params: IdParams,
      body: NumberMultiModify,
      response: { 200: Modified, 404: Message },
    },
  }, async (request) => {
    const { id } = request.params;
    const items = request.body.data;
    const changedTo = items.flatMap((item, index) => (item.v === undefined ? [] : [{ index, v: item.v }]));
    assertDistinct(changedTo.map((item) => item.v), (at) => `data.${changedTo[at]!.index}.v`, 'number');
    const last = await writes.run(async (scope) => {
      await heldList(scope, id);
      const ids = items.map((item) => item.id);
      await scope.lockIds('blacklist_numbers', ids, 'update');
      const own = new Set((await scope.trx.selectFrom('blacklist_numbers').select('id').where('blacklist_id', '=', id).where('id', 'in', ids).execute())
        .map((row) => row.id));
      const stranger = items.findIndex((item) => !own.has(item.id));
      if (stranger >= 0) throw badRequest(`data.${stranger}.id`, `blacklist ${id} has no number with id ${items[stranger]!.id}`);
      await assertNotListedElsewhere(scope.trx, id, ids, changedTo);
      const now = storedNow();
      for (const { id: numberId, ...values } of items) {
        await scope.trx.updateTable('blacklist_numbers').set({ ...values, updated_at: now }).where('id', '=', numberId).execute();
      }
      scope.changed(BLACKLISTS_TOPIC, [id]);
      return scope.trx.selectFrom('blacklist_numbers').selectAll().where('id', '=', items[items.length - 1]!.id).executeTakeFirstOrThrow();
    }).catch((error: unknown) => {
      if (error instanceof HttpError || !uniqueViolation(error)) throw error;
      // Two of the numbers swapped values: the unique index sees the first update collide.
      throw conflict('data', 'the new numbers collide with each other in the order given; change them in two requests');
    });
    return { code: 200, message: 'success', data: numberWire(last) };
  });

  await app.register(blacklistCrud);
}

/** 409 naming the first changed number that another number of the list (not being changed) already has. */
async function assertNotListedElsewhere(trx: Kysely<Database>, listId: number, changing: number[], changedTo: { index: number; v: string }[]): Promise<void> {
  if (changedTo.length === 0) return;
  const taken = new Set((await trx.selectFrom('blacklist_numbers').select('v').where('blacklist_id', '=', listId)
    .where('v', 'in', changedTo.map((item) => item.v)).where('id', 'not in', changing).execute()).map((row) => row.v));
  const clash = changedTo.find((item) => taken.has(item.v));
  if (clash) throw conflict(`data.${clash.index}.v`, `number "${clash.v}" is already on this list`);
}
