import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import { IVR_SOUND_COLUMNS } from '../../db/migrations/0005-ivrs-blocks-function-codes.js';
import { storedNow } from '../../db/queries.js';
import type { Database, Row } from '../../db/schema.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest, conflict, notFound } from '../../http/errors.js';
import { crudRoutes, defaultWire, findById, lockedById } from '../../http/kit/crud.js';
import { ChangedEnvelope, CreatedEnvelope, PageOf, changed, created } from '../../http/kit/envelopes.js';
import { escapeLike, listPage, listQueryWithFilters, type ListQuery, type ListRules } from '../../http/kit/listing.js';
import { wireTime } from '../../http/kit/time.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { extensionList, isDialable } from '../../routing/dialplan-values.js';
import {
  IvrActionCreate, IvrActionDetail, IvrActionParams, IvrActionRow, IvrActionUpdate, IvrCreate, IvrDetail, IvrListRow, IvrRouteRow, IvrUpdate,
} from './schema.js';
import { assertApplicationLine, assertLine, assertMenuName, soundMediaId, soundOnWire, storedSound } from './values.js';

const TAG = 'ivrs';
const describeIvr = (ivr: Pick<Row<'ivr_menus'>, 'id' | 'name'>) => `IVR "${ivr.name}" (id ${ivr.id})`;

function ivrOnWire(row: Row<'ivr_menus'>) {
  const sounds = Object.fromEntries(IVR_SOUND_COLUMNS.map((column) => [column, soundOnWire(row[column])]));
  return { ...defaultWire(row), ...sounds, key: `ivr-${row.id}`, identifier: `ivr-${row.id}` };
}

const LIST_NUMBERS = ['id', 'timeout', 'max_failures', 'max_timeouts', 'digit_len', 'inter_digit_timeout'] as const;

type IvrInput = Static<typeof IvrUpdate>;

/** The columns an IVR write sets, each checked so that ivr.conf can carry it. */
function ivrColumns(input: IvrInput) {
  const { name, ...rest } = input;
  if (name !== undefined) assertMenuName(name);
  for (const column of ['confirm_macro', 'tts_engine', 'tts_voice'] as const) {
    if (rest[column] !== undefined) assertLine(column, rest[column]);
  }
  for (const column of ['exec_on_max_failures', 'exec_on_max_timeouts'] as const) {
    if (rest[column] !== undefined) assertApplicationLine(column, rest[column]);
  }
  const sounds = Object.fromEntries(IVR_SOUND_COLUMNS.flatMap((column) => {
    const value = rest[column];
    return value === undefined ? [] : [[column, storedSound(column, value)]];
  }));
  return { ...(name === undefined ? {} : { name }), ...rest, ...sounds };
}

async function assertNameFree(db: Kysely<Database>, name: string, except?: number): Promise<void> {
  const taken = await db.selectFrom('ivr_menus').select('id').where('name', '=', name).executeTakeFirst();
  if (taken && taken.id !== except) throw conflict('name', `IVR "${name}" already exists`);
}

/**
 * A sound naming a media file by id holds that file until commit, so that the file's delete (which
 * locks it for update) waits for this write and then sees the reference. An id naming no file is
 * kept as written and plays its media_path (menu-tree.ts: the console's JSON may come from another
 * host), as before.
 */
async function holdPlayed(scope: WriteScope, stored: string): Promise<void> {
  const id = soundMediaId(stored);
  if (id !== undefined) await scope.lock('media_files', 'id', id, 'share');
}

async function holdSoundFiles(scope: WriteScope, columns: Partial<Record<(typeof IVR_SOUND_COLUMNS)[number], string>>): Promise<void> {
  for (const column of IVR_SOUND_COLUMNS) {
    const stored = columns[column];
    if (stored !== undefined) await holdPlayed(scope, stored);
  }
}

/** Stored sounds that may name a media file: the console's JSON, whose normalised form starts with media_id. */
const MEDIA_JSON = `${escapeLike('{"media_id":')}%`;
const mightNameMedia = (column: string) => sql<boolean>`${sql.ref(column)} like ${MEDIA_JSON} escape '\\'`;

/**
 * What plays media file `id`, in words (`IVR "main" (id 2)`, `action 5 of IVR "main" (id 2)`), or
 * undefined: a sound field or an IVR_PLAY entry naming it by id. SQL narrows to the rows that can
 * (an exact `args` for CherryPBX's bare id; the JSON's prefix, escaped, for the rest); the JSON is
 * then read as rendering reads it (soundMediaId), so id 1 never matches 12 and tones never match.
 */
async function mediaReferrer(trx: Kysely<Database>, id: number): Promise<string | undefined> {
  const menus = await trx.selectFrom('ivr_menus').select(['id', 'name', ...IVR_SOUND_COLUMNS])
    .where((eb) => eb.or(IVR_SOUND_COLUMNS.map((column) => mightNameMedia(column)))).orderBy('id').execute();
  const menu = menus.find((row) => IVR_SOUND_COLUMNS.some((column) => soundMediaId(row[column]) === id));
  if (menu) return describeIvr(menu);
  const entries = await trx.selectFrom('ivr_actions').innerJoin('ivr_menus', 'ivr_menus.id', 'ivr_actions.ivr_menu_id')
    .select(['ivr_actions.id', 'ivr_actions.args', 'ivr_menus.id as menuId', 'ivr_menus.name'])
    .where('ivr_actions.action', '=', 'IVR_PLAY')
    .where((eb) => eb.or([eb('ivr_actions.args', '=', String(id)), mightNameMedia('ivr_actions.args')]))
    .orderBy('ivr_actions.id').execute();
  const entry = entries.find((row) => row.args === String(id) || soundMediaId(row.args) === id);
  return entry ? `action ${entry.id} of ${describeIvr({ id: entry.menuId, name: entry.name })}` : undefined;
}

const listing: ListRules<'ivr_menus'> = {
  sortable: ['id', 'name', 'created_at', 'updated_at'],
  searchable: ['name', 'description'],
  defaultSort: 'id',
  defaultOrder: 'desc',
  filters: { name: { column: 'name', match: 'contains' } },
};

const ivrCrud = crudRoutes({
  table: 'ivr_menus',
  path: '/api/ivrs',
  tag: TAG,
  listRow: IvrListRow,
  detailRow: IvrDetail,
  createBody: IvrCreate,
  updateBody: IvrUpdate,
  // The list carries count_actions.
  operations: ['get', 'create', 'update', 'delete'],
  listing,
  toWire: ivrOnWire,
  describe: describeIvr,
  async beforeCreate(input, scope) {
    const columns = ivrColumns(input);
    await holdSoundFiles(scope, columns);
    await assertNameFree(scope.trx, input.name);
    return { description: '', ...columns, name: input.name };
  },
  async beforeUpdate(input, existing, scope) {
    const columns = ivrColumns(input);
    await holdSoundFiles(scope, columns);
    if (columns.name !== undefined && columns.name !== existing.name) {
      await assertNameFree(scope.trx, columns.name, existing.id);
      // Routes run `ivr <name>` with the name they stored; sub-menu entries are kept in step here.
      const route = await scope.trx.selectFrom('routes').select(['id', 'name'])
        .where('dest_type', '=', 'FS_DEST_IVR').where('dest_uuid', '=', String(existing.id)).executeTakeFirst();
      if (route) throw conflict('name', `${describeIvr(existing)} is used by route "${route.name}" (id ${route.id}); its name cannot change`);
      await scope.trx.updateTable('ivr_actions').set({ body: columns.name })
        .where('action', '=', 'IVR_SUB').where('args', '=', String(existing.id)).execute();
    }
    return columns;
  },
  async beforeDelete(existing, scope) {
    await scope.trx.deleteFrom('ivr_actions').where('ivr_menu_id', '=', existing.id).execute();
  },
});

type ActionFields = Pick<Row<'ivr_actions'>, 'digits' | 'action' | 'match_prefix' | 'args' | 'body'>;

async function assertActionType(db: Kysely<Database>, action: string): Promise<void> {
  const known = await db.selectFrom('dicts').select('k').where('realm', '=', 'IVR_ACTION_TYPE').where('k', '=', action).executeTakeFirst();
  if (!known) throw badRequest('action', `"${action}" is not an IVR action type (see /api/dicts?realm=IVR_ACTION_TYPE)`);
}

/** Numeric id text as the console writes ids into args ("5"), or undefined. */
const idIn = (text: string) => (/^[1-9]\d{0,9}$/.test(text) && Number(text) <= 2_147_483_647 ? Number(text) : undefined);

/**
 * Checks an action as it will be stored and fills what it derives: IVR_SUB's body is the
 * sub-menu's name (as routes' body is their target's). Targets are held until commit.
 */
async function checkedAction(scope: WriteScope, menu: Row<'ivr_menus'>, fields: ActionFields): Promise<ActionFields> {
  await assertActionType(scope.trx, fields.action);
  assertLine('args', fields.args);
  assertLine('body', fields.body);
  switch (fields.action) {
    case 'IVR_EXTENSION': {
      const extensions = fields.args === '' ? [] : extensionList(fields.args);
      if (typeof extensions === 'string') throw badRequest('args', extensions);
      return fields;
    }
    case 'IVR_SUB': {
      const id = idIn(fields.args);
      const sub = id === undefined ? undefined : await scope.lock('ivr_menus', 'id', id, 'share');
      if (!sub) throw badRequest('args', `must be the id of an IVR (got "${fields.args}")`);
      if (sub.id === menu.id) throw badRequest('args', 'must name another IVR than this one');
      return { ...fields, body: sub.name };
    }
    case 'IVR_ROUTE': {
      if (fields.args !== '') {
        const id = idIn(fields.args);
        const context = id === undefined ? undefined : await scope.lock('contexts', 'id', id, 'share');
        if (!context) throw badRequest('args', `must be the id of a context, or "" for context-1 (got "${fields.args}")`);
      }
      if (!isDialable(fields.body)) throw badRequest('body', 'must be the number to route, or "" for the digits pressed');
      return fields;
    }
    case 'IVR_CONFERENCE':
      if (!isDialable(fields.body)) throw badRequest('body', 'must be the room number, or "" for the digits pressed');
      return fields;
    case 'IVR_SYSTEM': {
      // The console writes the application line into body; XUI's into args.
      const line = fields.body || fields.args;
      if (line.trim() === '') throw badRequest('body', 'must be the application to run and its data, e.g. "playback /tmp/a.wav"');
      assertApplicationLine(fields.body ? 'body' : 'args', line);
      return fields;
    }
    case 'IVR_PLAY':
      if (fields.args.trim() === '') throw badRequest('args', 'must be the sound to play');
      // CherryPBX's action dialog and action page pick from the media files list and store the
      // file's id (the page finds its pick again by args == file.id): kept as given.
      // Stored canonical ("7", not "007"), so that a file's delete finds it by exact args.
      if (/^\d+$/.test(fields.args)) {
        const id = Number(fields.args);
        if (!Number.isSafeInteger(id) || !(await scope.lock('media_files', 'id', id, 'share'))) throw badRequest('args', `no media file with id ${fields.args}`);
        return { ...fields, args: String(id) };
      }
      {
        const args = storedSound('args', fields.args);
        await holdPlayed(scope, args);
        return { ...fields, args };
      }
    case 'IVR_TTS':
      if (fields.args.trim() === '') throw badRequest('args', 'must be the text to speak');
      return fields;
    default:
      return fields;
  }
}

const actionOnWire = (row: Row<'ivr_actions'>) => ({
  ...row,
  created_at: wireTime(row.created_at),
  updated_at: wireTime(row.updated_at),
  deleted_at: '',
});

async function actionOf(db: Kysely<Database>, menuId: number, actionId: number): Promise<Row<'ivr_actions'>> {
  const row = await db.selectFrom('ivr_actions').selectAll().where('ivr_menu_id', '=', menuId).where('id', '=', actionId).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function ivrRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;
  const { writes } = app;

  app.destinations.register({ type: 'FS_DEST_IVR', table: 'ivr_menus', nameColumn: 'name', noun: 'IVR' });
  // Another menu's IVR_SUB entry leads here; the menu's own entries go with it.
  app.references.add('ivr_menus', async ({ trx }, menu) => {
    const entry = await trx.selectFrom('ivr_actions').innerJoin('ivr_menus', 'ivr_menus.id', 'ivr_actions.ivr_menu_id')
      .select(['ivr_actions.id', 'ivr_menus.id as menuId', 'ivr_menus.name'])
      .where('ivr_actions.action', '=', 'IVR_SUB').where('ivr_actions.args', '=', String(menu.id))
      .where('ivr_actions.ivr_menu_id', '<>', menu.id).orderBy('ivr_actions.id').executeTakeFirst();
    return entry ? `action ${entry.id} of ${describeIvr({ id: entry.menuId, name: entry.name })}` : undefined;
  });
  app.references.add('contexts', async ({ trx }, context) => {
    const entry = await trx.selectFrom('ivr_actions').select(['id', 'ivr_menu_id'])
      .where('action', '=', 'IVR_ROUTE').where('args', '=', String(context.id)).orderBy('id').executeTakeFirst();
    return entry ? `action ${entry.id} of IVR ${entry.ivr_menu_id}` : undefined;
  });

  // Sound fields and IVR_PLAY entries play media files named by id.
  app.references.add('media_files', ({ trx }, file) => mediaReferrer(trx, file.id));

  app.get('/api/ivrs', {
    schema: { tags, summary: 'List IVRs, each with count_actions', querystring: listQueryWithFilters(listing), response: { 200: PageOf(IvrListRow) } },
  }, async (request) => {
    const page = await listPage(db, app.db.dialect, 'ivr_menus', request.query as ListQuery & Record<string, unknown>, listing);
    const ids = page.data.map((row) => row.id);
    const counts = ids.length === 0 ? [] : await db.selectFrom('ivr_actions')
      .select((eb) => ['ivr_menu_id', eb.fn.countAll<number>().as('count')])
      .where('ivr_menu_id', 'in', ids).groupBy('ivr_menu_id').execute();
    const countOf = new Map(counts.map((row) => [row.ivr_menu_id, Number(row.count)]));
    // The spec's list answers numbers as strings.
    const data = page.data.map((row) => ({
      ...ivrOnWire(row),
      ...Object.fromEntries(LIST_NUMBERS.map((column) => [column, String(row[column])])) as Record<(typeof LIST_NUMBERS)[number], string>,
      count_actions: String(countOf.get(row.id) ?? 0),
    }));
    return { ...page, data };
  });

  await app.register(ivrCrud);

  app.get('/api/ivrs/:id/actions', {
    schema: { tags, summary: 'The actions of an IVR', params: IdParams, response: { 200: Type.Array(IvrActionRow), 404: Message } },
  }, async (request) => {
    await findById(db, 'ivr_menus', request.params.id);
    const rows = await db.selectFrom('ivr_actions').selectAll().where('ivr_menu_id', '=', request.params.id).orderBy('id').execute();
    return rows.map(actionOnWire);
  });

  app.get('/api/ivrs/:id/actions/:aid', {
    schema: { tags, summary: 'One action of an IVR, as a one-element array (as the spec answers); match_prefix "0"/"1"', params: IvrActionParams, response: { 200: Type.Array(IvrActionDetail), 404: Message } },
  }, async (request) => {
    const action = actionOnWire(await actionOf(db, request.params.id, request.params.aid));
    return [{ ...action, match_prefix: String(action.match_prefix) }];
  });

  app.post('/api/ivrs/:id/actions', {
    schema: { tags, summary: 'Add an action to an IVR', params: IdParams, body: IvrActionCreate, response: { 200: CreatedEnvelope, 404: Message } },
  }, async (request) => {
    const { body } = request;
    const id = await writes.run(async (scope) => {
      const menu = await scope.lock('ivr_menus', 'id', request.params.id, 'share');
      if (!menu) throw notFound();
      const fields = await checkedAction(scope, menu, {
        digits: body.digits, action: body.action, match_prefix: body.match_prefix ?? 0, args: body.args ?? '', body: body.body ?? '',
      });
      const now = storedNow();
      const row = await scope.trx.insertInto('ivr_actions')
        .values({ ...fields, ivr_menu_id: menu.id, created_at: now, updated_at: now })
        .returning('id').executeTakeFirstOrThrow();
      return row.id;
    });
    return created(id);
  });

  app.put('/api/ivrs/:id/actions/:aid', {
    schema: { tags, summary: 'Change an action of an IVR (id and ivr_menu_id in the body are ignored)', params: IvrActionParams, body: IvrActionUpdate, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    const { id, aid } = request.params;
    const { body } = request;
    await writes.run(async (scope) => {
      const menu = await scope.lock('ivr_menus', 'id', id, 'share');
      const existing = menu && (await lockedById(scope, 'ivr_actions', aid));
      if (!menu || !existing || existing.ivr_menu_id !== menu.id) throw notFound();
      const fields = await checkedAction(scope, menu, {
        digits: body.digits ?? existing.digits,
        action: body.action ?? existing.action,
        match_prefix: body.match_prefix ?? existing.match_prefix,
        args: body.args ?? existing.args,
        body: body.body ?? existing.body,
      });
      await scope.trx.updateTable('ivr_actions').set({ ...fields, updated_at: storedNow() }).where('id', '=', aid).execute();
    });
    return changed(aid);
  });

  app.delete('/api/ivrs/:id/actions/:aid', {
    schema: { tags, summary: 'Delete an action of an IVR', params: IvrActionParams, response: { 200: ChangedEnvelope, 404: Message } },
  }, async (request) => {
    const { id, aid } = request.params;
    await writes.run(async (scope) => {
      const existing = await lockedById(scope, 'ivr_actions', aid);
      if (existing.ivr_menu_id !== id) throw notFound();
      await scope.trx.deleteFrom('ivr_actions').where('id', '=', aid).execute();
    });
    return changed(aid);
  });

  app.get('/api/ivrs/:id/routes', {
    schema: { tags, summary: 'The routes that send calls to this IVR', params: IdParams, response: { 200: PageOf(IvrRouteRow), 404: Message } },
  }, async (request) => {
    await findById(db, 'ivr_menus', request.params.id);
    const rows = await db.selectFrom('routes').select(['id', 'name', 'prefix', 'description'])
      .where('dest_type', '=', 'FS_DEST_IVR').where('dest_uuid', '=', String(request.params.id)).orderBy('id').execute();
    const data = rows.map(({ prefix, ...route }) => ({ ...route, called_prefix: prefix }));
    return { page: 1, rowCount: data.length, pageCount: data.length === 0 ? 0 : 1, data };
  });
}
