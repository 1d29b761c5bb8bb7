import type { Db } from '../../db/connect.js';
import type { Row } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { ContextCreate, ContextDetail, ContextListRow, ContextUpdate } from './schema.js';

const GENERATED_KEY = /^context-(\d+)$/;

async function nextGeneratedKey(db: Db): Promise<string> {
  const keys = await db.kysely.selectFrom('contexts').select('key').where('key', 'like', 'context-%').execute();
  const highest = keys.reduce((max, { key }) => Math.max(max, Number(GENERATED_KEY.exec(key)?.[1] ?? 0)), 0);
  return `context-${highest + 1}`;
}

async function assertKeyFree(db: Db, key: string): Promise<void> {
  const taken = await db.kysely.selectFrom('contexts').select('id').where('key', '=', key).executeTakeFirst();
  if (taken) throw conflict('key', `context "${key}" already exists`);
}

export const contextRoutes = crudRoutes({
  table: 'contexts',
  path: '/api/contexts',
  tag: 'contexts',
  listRow: ContextListRow,
  detailRow: ContextDetail,
  createBody: ContextCreate,
  updateBody: ContextUpdate,
  toggle: 'hotline_enabled',
  listing: {
    sortable: ['id', 'name', 'key', 'created_at'],
    searchable: ['name', 'description', 'key'],
    defaultSort: 'id',
    defaultOrder: 'desc',
    filters: { name: { column: 'name', match: 'contains' }, key: { column: 'key', match: 'exact' } },
  },
  toWire: (row: Row<'contexts'>) => ({ ...defaultWire(row), identifier: row.key }),
  async beforeCreate(input, db) {
    // A generated key that a racing create took meanwhile fails the unique index, and the kit
    // retries with the next one; only a key the client chose is a conflict to report.
    const key = input.key ?? (await nextGeneratedKey(db));
    if (input.key !== undefined) await assertKeyFree(db, key);
    return {
      name: input.name,
      description: input.description ?? '',
      key,
      domain: input.domain ?? '',
      hotline_enabled: input.hotline_enabled ?? 0,
    };
  },
  // The key is what routes and extensions store, so it never changes after creation.
  beforeUpdate: async (input) => input,
  async beforeDelete(context, db) {
    const route = await db.kysely
      .selectFrom('routes')
      .select(['id', 'name'])
      .where('context', '=', context.key)
      .orderBy('id')
      .executeTakeFirst();
    if (route) throw conflict('id', `context ${context.key} is used by route "${route.name}" (id ${route.id})`);
  },
});
