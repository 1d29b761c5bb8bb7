import type { Kysely } from 'kysely';
import type { Database, Row } from '../../db/schema.js';
import { badRequest, conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire } from '../../http/kit/crud.js';
import { FUNCTION_CODES_TOPIC } from './code-table.js';
import { FunctionCodeCreate, FunctionCodeDetail, FunctionCodeListRow, FunctionCodeUpdate } from './schema.js';

async function assertFunctionType(db: Kysely<Database>, type: string): Promise<void> {
  const known = await db.selectFrom('dicts').select('k').where('realm', '=', 'FUNC_CODE_TYPE').where('k', '=', type).executeTakeFirst();
  if (!known) throw badRequest('func_type', `"${type}" is not a function code type (see /api/dicts?realm=FUNC_CODE_TYPE)`);
}

async function assertCodeFree(db: Kysely<Database>, code: string, except?: number): Promise<void> {
  const taken = await db.selectFrom('function_codes').select('id').where('func_code', '=', code).executeTakeFirst();
  if (taken && taken.id !== except) throw conflict('func_code', `function code "${code}" already exists`);
}

export const functionCodeRoutes = crudRoutes({
  table: 'function_codes',
  path: '/api/func_code',
  tag: 'function codes',
  listRow: FunctionCodeListRow,
  detailRow: FunctionCodeDetail,
  createBody: FunctionCodeCreate,
  updateBody: FunctionCodeUpdate,
  toggle: 'disabled',
  // The dialplan's in-memory codes follow every change.
  topic: FUNCTION_CODES_TOPIC,
  listing: {
    sortable: ['id', 'func_code', 'func_type', 'created_at'],
    searchable: ['func_code', 'func_type', 'description'],
    defaultSort: 'id',
    defaultOrder: 'desc',
    filters: { func_code: { column: 'func_code', match: 'contains' }, func_type: { column: 'func_type', match: 'exact' } },
  },
  toWire: (row: Row<'function_codes'>) => defaultWire(row),
  describe: (code) => `function code "${code.func_code}" (id ${code.id})`,
  async beforeCreate(input, scope) {
    await assertFunctionType(scope.trx, input.func_type);
    await assertCodeFree(scope.trx, input.func_code);
    return { func_code: input.func_code, func_type: input.func_type, description: input.description ?? '', disabled: input.disabled ?? 0 };
  },
  async beforeUpdate(input, existing, scope) {
    if (input.func_type !== undefined) await assertFunctionType(scope.trx, input.func_type);
    if (input.func_code !== undefined) await assertCodeFree(scope.trx, input.func_code, existing.id);
    return input;
  },
});
