import type { Kysely } from 'kysely';
import type { Database, Row } from '../../db/schema.js';
import { conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { ContextCreate, ContextDetail, ContextListRow, ContextUpdate } from './schema.js';

/** Changes of contexts are published here: DIDs apply only in contexts with hotline_enabled. */
export const CONTEXTS_TOPIC = 'contexts';

const GENERATED_KEY = /^context-(\d+)$/;

async function nextGeneratedKey(db: Kysely<Database>): Promise<string> {
  const keys = await db.selectFrom('contexts').select('key').where('key', 'like', 'context-%').execute();
  const highest = keys.reduce((max, { key }) => Math.max(max, Number(GENERATED_KEY.exec(key)?.[1] ?? 0)), 0);
  return `context-${highest + 1}`;
}

async function assertKeyFree(db: Kysely<Database>, key: string): Promise<void> {
  const taken = await db.selectFrom('contexts').select('id').where('key', '=', key).executeTakeFirst();
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
  topic: CONTEXTS_TOPIC,
  listing: {
    sortable: ['id', 'name', 'key', 'created_at'],
    searchable: ['name', 'description', 'key'],
    defaultSort: 'id',
    defaultOrder: 'desc',
    filters: { name: { column: 'name', match: 'contains' }, key: { column: 'key', match: 'exact' } },
  },
  toWire: (row: Row<'contexts'>) => ({ ...defaultWire(row), identifier: row.key }),
  describe: (context) => `context ${context.key}`,
  async beforeCreate(input, scope) {
    // Creates run one at a time, so a generated key is never picked twice nor taken meanwhile.
    await scope.serialize('contexts.key');
    const key = input.key ?? (await nextGeneratedKey(scope.trx));
    if (input.key !== undefined) await assertKeyFree(scope.trx, key);
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
});
