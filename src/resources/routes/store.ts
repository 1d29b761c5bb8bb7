import type { Db } from '../../db/connect.js';
import type { NewRow, Row } from '../../db/schema.js';
import { badRequest, conflict, uniqueViolation } from '../../http/errors.js';
import { assertAllExist, findById } from '../../http/kit/crud.js';
import { storedNow } from '../../http/kit/time.js';
import { flipped } from '../../http/kit/types.js';
import { validateNumberTransform } from '../../routing/number-transform.js';
import { resolveDestination } from './destinations.js';
import type { RouteTable } from './route-table.js';

export const ROUTE_PARAM_REALM = 'ROUTE';

type RouteValues = Omit<NewRow<'routes'>, 'id' | 'created_at' | 'updated_at'>;
type RouteInput = Partial<Omit<RouteValues, 'bill_rate' | 'media_codec'>> & {
  bill_rate?: number;
  media_codec?: string | string[];
  action?: 'toggle';
};

/** Input as stored: codecs comma-joined, money with 2 decimals; `action` is not a column. */
export function toColumns(input: RouteInput): Partial<RouteValues> {
  const { bill_rate, media_codec, action: _action, ...rest } = input;
  const columns: Partial<RouteValues> = { ...rest };
  if (bill_rate !== undefined) columns.bill_rate = bill_rate.toFixed(2);
  if (media_codec !== undefined) {
    const names = Array.isArray(media_codec) ? media_codec : media_codec.split(',');
    columns.media_codec = names.map((name) => name.trim()).filter(Boolean).join(',');
  }
  return columns;
}

async function assertContextExists(db: Db, key: string): Promise<void> {
  const found = await db.kysely.selectFrom('contexts').select('id').where('key', '=', key).executeTakeFirst();
  if (!found) throw badRequest('context', `no context with key "${key}" (see /api/contexts)`);
}

async function assertUnique(db: Db, route: RouteValues, exceptId?: number): Promise<void> {
  let sameName = db.kysely.selectFrom('routes').select('id').where('name', '=', route.name);
  if (exceptId !== undefined) sameName = sameName.where('id', '!=', exceptId);
  const named = await sameName.executeTakeFirst();
  if (named) throw conflict('name', `route "${route.name}" already exists (id ${named.id})`);

  let sameMatch = db.kysely
    .selectFrom('routes')
    .select(['id', 'name'])
    .where('context', '=', route.context)
    .where('prefix', '=', route.prefix ?? '')
    .where('max_length', '=', route.max_length);
  if (exceptId !== undefined) sameMatch = sameMatch.where('id', '!=', exceptId);
  const clash = await sameMatch.executeTakeFirst();
  if (clash) {
    throw conflict(
      'prefix',
      `route "${clash.name}" (id ${clash.id}) already has prefix "${route.prefix ?? ''}" with max_length ${route.max_length} in context ${route.context}`,
    );
  }
}

/** Every rule a stored route must satisfy; returns the route with `body` filled from its destination. */
async function checkedRoute(db: Db, route: RouteValues, exceptId?: number): Promise<RouteValues> {
  for (const field of ['dnc', 'sdnc'] as const) {
    const problem = route[field] ? validateNumberTransform(route[field]!) : null;
    if (problem) throw badRequest(field, problem);
  }
  await assertContextExists(db, route.context);
  const destination = await resolveDestination(db, {
    dest_type: route.dest_type,
    dest_uuid: route.dest_uuid ?? '',
    body: route.body ?? '',
  });
  await assertUnique(db, route, exceptId);
  return { ...route, ...destination };
}

/**
 * A racing request took the name or the context+prefix+max_length between our check and our
 * write: the unique index refused it. Re-checking names what was taken, as a 409, never a 500.
 */
async function asConflict(db: Db, error: unknown, route: RouteValues, exceptId?: number): Promise<never> {
  const column = uniqueViolation(error);
  if (!column) throw error;
  await assertUnique(db, route, exceptId);
  // The other row is gone again: name what the index refused (its last column is max_length).
  throw column === 'name'
    ? conflict('name', `route "${route.name}" already exists`)
    : conflict('prefix', `prefix "${route.prefix ?? ''}" with max_length ${route.max_length} already exists in context ${route.context}`);
}

export class RouteStore {
  constructor(
    private readonly db: Db,
    private readonly table: RouteTable,
  ) {}

  get(id: number): Promise<Row<'routes'>> {
    return findById(this.db, 'routes', id);
  }

  async create(input: RouteInput & Pick<RouteValues, 'name' | 'max_length' | 'context' | 'dest_type'>): Promise<Row<'routes'>> {
    // Columns left out take the database's defaults (migration 0002), the one place they are set.
    const route = await checkedRoute(this.db, { ...toColumns(input), name: input.name, max_length: input.max_length, context: input.context, dest_type: input.dest_type });
    const now = storedNow();
    return this.table.write<Row<'routes'>>((row) => [row.id], (trx) =>
      trx.insertInto('routes').values({ ...route, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow())
      .catch((error: unknown) => asConflict(this.db, error, route));
  }

  async update(id: number, input: RouteInput): Promise<void> {
    const existing = await this.get(id);
    if (input.action === 'toggle') {
      await this.table.write(() => [id], (trx) =>
        trx.updateTable('routes').set({ disabled: flipped('disabled'), updated_at: storedNow() }).where('id', '=', id).execute());
      return;
    }
    const patch = toColumns(input);
    const { id: _id, created_at: _created, updated_at: _updated, ...current } = existing;
    const route = await checkedRoute(this.db, { ...current, ...patch }, id);
    // Only the columns this request sets (and a `body` its destination implies): writing back the
    // whole row read above would undo a concurrent update of other columns.
    const changes = Object.fromEntries(Object.entries(route).filter(([column, value]) =>
      column in patch || value !== current[column as keyof typeof current]));
    await this.table.write(() => [id], (trx) =>
      trx.updateTable('routes').set({ ...changes, updated_at: storedNow() }).where('id', '=', id).execute())
      .catch((error: unknown) => asConflict(this.db, error, route, id));
  }

  async remove(id: number): Promise<void> {
    await this.get(id);
    await this.table.write(() => [id], async (trx) => {
      await trx.deleteFrom('params').where('realm', '=', ROUTE_PARAM_REALM).where('ref_id', '=', id).execute();
      await trx.deleteFrom('time_recurrences').where('route_id', '=', id).execute();
      await trx.deleteFrom('routes').where('id', '=', id).execute();
    });
  }

  /** Sets the same columns on every listed route, or on none if any id is unknown. */
  async updateMany(ids: number[], input: RouteInput): Promise<number> {
    const unique = [...new Set(ids)];
    const columns = toColumns(input);
    return this.table.write(() => unique, async (trx) => {
      await assertAllExist(trx, 'routes', unique, () => 'route', 'route');
      if (Object.keys(columns).length === 0) return unique.length;
      await trx.updateTable('routes').set({ ...columns, updated_at: storedNow() }).where('id', 'in', unique).execute();
      return unique.length;
    });
  }
}
