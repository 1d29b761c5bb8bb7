import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import type { Static } from 'typebox';
import type { Database, NewRow, Row } from '../../db/schema.js';
import { insertInBatches } from '../../db/queries.js';
import { badRequest, conflict } from '../../http/errors.js';
import { assertValueFree, crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { trunkAddressProblem } from './address.js';
import { Bool, TrunkCreate, TrunkDetail, TrunkImport, TrunkImported, TrunkRow, TrunkUpdate } from './schema.js';

const TAG = 'trunks';
type TrunkValues = Omit<NewRow<'trunks'>, 'created_at' | 'updated_at'>;

export const describeTrunk = (trunk: Pick<Row<'trunks'>, 'id' | 'name'>) => `trunk "${trunk.name}" (id ${trunk.id})`;
const flag = (value: Static<typeof Bool>): number => (value === true || value === 't' ? 1 : 0);

const toWire = (row: Row<'trunks'>) => ({ ...defaultWire(row), register: row.register === 1, enabled: row.enabled === 1 });

/** Refuses an address the dialplan could not dial, naming `field`. */
function assertAddresses(values: Pick<TrunkValues, 'remote_addr' | 'local_addr'>, field: (column: 'remote_addr' | 'local_addr') => string): void {
  const remote = trunkAddressProblem(values.remote_addr);
  if (remote) throw badRequest(field('remote_addr'), remote);
  const local = values.local_addr ? trunkAddressProblem(values.local_addr) : null;
  if (local) throw badRequest(field('local_addr'), local);
}

const assertNameFree = (db: Kysely<Database>, name: string, field: string, except?: number) =>
  assertValueFree(db, 'trunks', 'name', name, { noun: 'trunk', field, ...(except === undefined ? {} : { except }) });

/** What a trunk created without them has (the spec's example trunk). */
const DEFAULTS = { description: '', type: 'INOUT', protocol: 'UDP', local_addr: '', register: 0, enabled: 1, source: '', params: '', media_codec: '' };

function valuesOf(input: Static<typeof TrunkUpdate>): Partial<TrunkValues> {
  const { register, enabled, ...text } = input;
  return {
    ...text,
    ...(register === undefined ? {} : { register: flag(register) }),
    ...(enabled === undefined ? {} : { enabled: flag(enabled) }),
  };
}

const trunkCrud = crudRoutes({
  table: 'trunks',
  path: '/api/trunks',
  tag: TAG,
  listRow: TrunkRow,
  detailRow: TrunkDetail,
  createBody: TrunkCreate,
  updateBody: TrunkUpdate,
  // The detail carries the trunk's groups.
  operations: ['list', 'create', 'update', 'delete'],
  listing: {
    sortable: ['id', 'name', 'type', 'protocol', 'remote_addr', 'local_addr', 'enabled', 'created_at', 'updated_at'],
    searchable: ['name', 'description', 'remote_addr', 'local_addr', 'source', 'type', 'protocol'],
    defaultSort: 'id',
  },
  toWire,
  describe: describeTrunk,
  async beforeCreate(input, scope) {
    const values: TrunkValues = { ...DEFAULTS, ...valuesOf(input), name: input.name, remote_addr: input.remote_addr };
    assertAddresses(values, (column) => column);
    await assertNameFree(scope.trx, values.name, 'name');
    return values;
  },
  async beforeUpdate(input, existing, scope) {
    const patch = valuesOf(input);
    assertAddresses({ remote_addr: patch.remote_addr ?? existing.remote_addr, local_addr: patch.local_addr ?? existing.local_addr }, (column) => column);
    if (patch.name !== undefined) await assertNameFree(scope.trx, patch.name, 'name', existing.id);
    return patch;
  },
});

/** The export's column names, as the import reads them. */
function importedValues(row: Static<typeof TrunkImport>['trunks'][number]): TrunkValues {
  return {
    ...DEFAULTS,
    name: row.中继名称,
    remote_addr: row.远端地址,
    description: row.描述 ?? '',
    type: row.类型 ?? 'INOUT',
    local_addr: row.本地地址 ?? '',
    protocol: row.协议 ?? 'UDP',
    register: flag(row.是否注册 ?? 'f'),
    source: row.呼叫源 ?? '',
    enabled: flag(row.是否启用 ?? 't'),
    params: row.参数 ?? '',
  };
}

const IMPORT_COLUMNS = { name: '中继名称', remote_addr: '远端地址', local_addr: '本地地址' } as const;

/** An imported row as the spec answers it: every value a string, flags as "t"/"f". */
function importedWire(row: Row<'trunks'>): Record<string, string> {
  const wire = defaultWire(row);
  return Object.fromEntries(Object.entries(wire).map(([key, value]) =>
    [key, key === 'register' || key === 'enabled' ? (value === 1 ? 't' : 'f') : String(value)]));
}

export async function trunkRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.destinations.register({ type: 'FS_DEST_CLUSTER_TRUNK', table: 'trunks', nameColumn: 'name', noun: 'trunk' });

  app.post('/api/trunks/import', {
    schema: {
      tags,
      summary: 'Import trunks, one per row, keyed by the export\'s column names; all or nothing',
      description: 'A refused row answers 4xx naming it, `trunks.<index>.<column>: <problem>`, and nothing is imported.',
      body: TrunkImport,
      response: { 200: TrunkImported },
    },
  }, async (request) => {
    const rows = request.body.trunks.map(importedValues);
    rows.forEach((values, index) => assertAddresses(values, (column) => `trunks.${index}.${IMPORT_COLUMNS[column]}`));
    const seen = new Map<string, number>();
    rows.forEach(({ name }, index) => {
      const earlier = seen.get(name);
      if (earlier !== undefined) throw conflict(`trunks.${index}.${IMPORT_COLUMNS.name}`, `trunk "${name}" is also row ${earlier}`);
      seen.set(name, index);
    });
    const inserted = await app.writes.run(async (scope) => {
      for (const [index, { name }] of rows.entries()) await assertNameFree(scope.trx, name, `trunks.${index}.${IMPORT_COLUMNS.name}`);
      return insertInBatches(scope.trx, 'trunks', rows);
    });
    return { code: 200, message: 'success', data: inserted.map(importedWire) };
  });

  app.get('/api/trunks/:id', {
    schema: { tags, summary: 'One trunk with the trunk groups it belongs to', params: IdParams, response: { 200: TrunkDetail, 404: Message } },
  }, async (request) => {
    const trunk = await findById(db, 'trunks', request.params.id);
    const groups = await db.selectFrom('trunk_group_members')
      .innerJoin('trunk_groups', 'trunk_groups.id', 'trunk_group_members.trunk_group_id')
      .select(['trunk_groups.id', 'trunk_groups.name', 'trunk_groups.strategy', 'trunk_group_members.weight'])
      .where('trunk_group_members.trunk_id', '=', trunk.id)
      .orderBy('trunk_groups.id')
      .execute();
    return { ...toWire(trunk), trunk_groups: groups };
  });

  await app.register(trunkCrud);
}
