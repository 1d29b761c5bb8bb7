import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database, NewRow, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WritePath, WriteScope } from '../../db/write-path.js';
import { HttpError, badRequest, conflict, uniqueViolation } from '../../http/errors.js';
import { assertAllExist, findById, lockedById } from '../../http/kit/crud.js';
import { flipped } from '../../http/kit/types.js';
import { routeProblem } from '../../routing/dialplan-values.js';
import { assertRouteListsExist } from '../blacklists/route-lists.js';
import { storedNumberRules } from '../number-translation/rules.js';
import type { Destinations } from './destinations.js';

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

/** The route's context, held until commit so that it cannot be deleted under the new route. */
async function assertContextExists(scope: WriteScope, key: string): Promise<void> {
  const found = await scope.lock('contexts', 'key', key, 'share');
  if (!found) throw badRequest('context', `no context with key "${key}" (see /api/contexts)`);
}

async function assertUnique(db: Kysely<Database>, route: RouteValues, exceptId?: number): Promise<void> {
  let sameName = db.selectFrom('routes').select('id').where('name', '=', route.name);
  if (exceptId !== undefined) sameName = sameName.where('id', '!=', exceptId);
  const named = await sameName.executeTakeFirst();
  if (named) throw conflict('name', `route "${route.name}" already exists (id ${named.id})`);

  let sameMatch = db
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
/** The dialplan can render the route's own values (Destinations.resolve checks its destination). */
function assertRenderable(route: Partial<RouteValues>): void {
  const problem = routeProblem(route);
  if (problem) throw badRequest(problem.field, problem.problem);
}

async function checkedRoute(scope: WriteScope, destinations: Destinations, given: RouteValues, exceptId?: number): Promise<RouteValues> {
  // dnc/sdnc included; the tables they name are checked by assertRouteListsExist.
  const route = storedNumberRules(given);
  assertRenderable(route);
  await assertContextExists(scope, route.context);
  await assertRouteListsExist(scope, route);
  const destination = await destinations.resolve(scope, {
    dest_type: route.dest_type,
    dest_uuid: route.dest_uuid ?? '',
    body: route.body ?? '',
  }, '', undefined, 'allowed');
  await assertUnique(scope.trx, route, exceptId);
  return { ...route, ...destination };
}

/**
 * A racing request took the name or the context+prefix+max_length between our check and our
 * write: the unique index refused it. Re-checking names what was taken, as a 409, never a 500.
 */
async function asConflict(db: Kysely<Database>, error: unknown, route: RouteValues, exceptId?: number): Promise<never> {
  const column = uniqueViolation(error);
  if (!column) throw error;
  await assertUnique(db, route, exceptId);
  // The other row is gone again: name what the index refused (its last column is max_length).
  throw column === 'name'
    ? conflict('name', `route "${route.name}" already exists`)
    : conflict('prefix', `prefix "${route.prefix ?? ''}" with max_length ${route.max_length} already exists in context ${route.context}`);
}

export type NewRouteInput = RouteInput & Pick<RouteValues, 'name' | 'max_length' | 'context' | 'dest_type'>;

/** Columns left out take the database's defaults (migration 0002), the one place they are set. */
function givenRoute(input: NewRouteInput): RouteValues {
  return { ...toColumns(input), name: input.name, max_length: input.max_length, context: input.context, dest_type: input.dest_type };
}

/** The change-feed topic of routes: the routing index of every process follows it. */
export const ROUTES_TOPIC = 'routes';

/** A route about to change or go, held until commit; 404 when there is none. */
export const lockedRoute = (scope: WriteScope, id: number) => lockedById(scope, 'routes', id);

export class RouteStore {
  constructor(
    private readonly db: Db,
    private readonly writes: WritePath,
    private readonly destinations: Destinations,
  ) {}

  get(id: number): Promise<Row<'routes'>> {
    return findById(this.db.kysely, 'routes', id);
  }

  async create(input: NewRouteInput): Promise<Row<'routes'>> {
    const given = givenRoute(input);
    return this.writes.run(async (scope) => {
      const row = await this.insert(scope, given);
      scope.changed(ROUTES_TOPIC, [row.id]);
      return row;
    }).catch((error: unknown) => asConflict(this.db.kysely, error, given));
  }

  /**
   * Creates every route or none (an import). A refusal names the route by its index in the
   * input: `routes.<index>.<field>: <problem>`.
   */
  async createMany(inputs: readonly NewRouteInput[]): Promise<Row<'routes'>[]> {
    return this.writes.run(async (scope) => {
      const rows: Row<'routes'>[] = [];
      for (const [index, input] of inputs.entries()) {
        rows.push(await this.insert(scope, givenRoute(input)).catch((error: unknown) => {
          throw error instanceof HttpError ? new HttpError(error.statusCode, `routes.${index}.${error.message}`, error.data) : error;
        }));
      }
      scope.changed(ROUTES_TOPIC, rows.map((row) => row.id));
      return rows;
    }).catch((error: unknown) => {
      // A concurrent write took a name or a prefix between our checks and the inserts.
      if (uniqueViolation(error)) throw conflict('routes', 'another write took a name or prefix of these routes meanwhile; nothing was imported, try again');
      throw error;
    });
  }

  private async insert(scope: WriteScope, given: RouteValues): Promise<Row<'routes'>> {
    const route = await checkedRoute(scope, this.destinations, given);
    const now = storedNow();
    return scope.trx.insertInto('routes').values({ ...route, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, input: RouteInput): Promise<void> {
    const patch = toColumns(input);
    let merged: RouteValues | undefined;
    await this.writes.run(async (scope) => {
      const existing = await lockedRoute(scope, id);
      scope.changed(ROUTES_TOPIC, [id]);
      if (input.action === 'toggle') {
        await scope.trx.updateTable('routes').set({ disabled: flipped('disabled'), updated_at: storedNow() }).where('id', '=', id).execute();
        return;
      }
      const { id: _id, created_at: _created, updated_at: _updated, ...current } = existing;
      merged = { ...current, ...patch };
      const route = await checkedRoute(scope, this.destinations, merged, id);
      // Only the columns this request sets (and a `body` its destination implies), so that what
      // the client did not send is never written back.
      const changes = Object.fromEntries(Object.entries(route).filter(([column, value]) =>
        column in patch || value !== current[column as keyof typeof current]));
      await scope.trx.updateTable('routes').set({ ...changes, updated_at: storedNow() }).where('id', '=', id).execute();
    }).catch((error: unknown) => (merged ? asConflict(this.db.kysely, error, merged, id) : Promise.reject(error)));
  }

  async remove(id: number): Promise<void> {
    await this.writes.run(async (scope) => {
      await lockedRoute(scope, id);
      await scope.trx.deleteFrom('params').where('realm', '=', ROUTE_PARAM_REALM).where('ref_id', '=', id).execute();
      await scope.trx.deleteFrom('time_recurrences').where('route_id', '=', id).execute();
      await scope.trx.deleteFrom('routes').where('id', '=', id).execute();
      scope.changed(ROUTES_TOPIC, [id]);
    });
  }

  /** Sets the same columns on every listed route, or on none if any id is unknown. */
  async updateMany(ids: number[], input: RouteInput): Promise<number> {
    const unique = [...new Set(ids)];
    const columns = toColumns(input);
    assertRenderable(columns);
    return this.writes.run(async (scope) => {
      await assertAllExist(scope.trx, 'routes', unique, () => 'route', 'route');
      await assertRouteListsExist(scope, columns);
      scope.changed(ROUTES_TOPIC, unique);
      if (Object.keys(columns).length === 0) return unique.length;
      await scope.trx.updateTable('routes').set({ ...columns, updated_at: storedNow() }).where('id', 'in', unique).execute();
      return unique.length;
    });
  }
}
