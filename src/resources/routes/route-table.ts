import type { Db } from '../../db/connect.js';
import type { Row } from '../../db/schema.js';
import type { WritePath } from '../../db/write-path.js';
import { RouteIndex } from '../../routing/route-index.js';
import { decide, type Decision, type NumberPlans } from '../../routing/decide.js';
import type { CallerExtension } from '../../routing/dods.js';
import { parseRecurrence } from '../../routing/recurrence.js';
import type { Route, TimeSegment } from '../../routing/types.js';
import { LiveRoutingLists } from '../blacklists/routing-lists.js';
import { ROUTES_TOPIC, ROUTE_PARAM_REALM } from './store.js';

const LOAD_CHUNK = 20_000;
/** Entries (full rows, params) of the routes most recently fetched (verification, the dialplan); oldest out first. */
const ROW_CACHE_SIZE = 20_000;

type RouteColumns = Pick<Row<'routes'>, 'id' | 'name' | 'context' | 'prefix' | 'max_length' | 'disabled' | 'dest_type' | 'dest_uuid' | 'body' | 'dnc' | 'sdnc' | 'blacklist'>;
const routeColumns = ['id', 'name', 'context', 'prefix', 'max_length', 'disabled', 'dest_type', 'dest_uuid', 'body', 'dnc', 'sdnc', 'blacklist'] as const;

function toRoute(row: RouteColumns): Route {
  return {
    id: row.id,
    name: row.name,
    context: row.context,
    prefix: row.prefix,
    maxLength: row.max_length,
    disabled: row.disabled !== 0,
    destType: row.dest_type,
    destUuid: row.dest_uuid,
    body: row.body,
    dnc: row.dnc,
    sdnc: row.sdnc,
    blacklist: row.blacklist === '' ? null : Number(row.blacklist),
  };
}

/** `leftOut` hears of a stored recurrence that no longer parses. */
function toSegment(row: Row<'time_recurrences'>, leftOut: (message: string) => void): TimeSegment | undefined {
  try {
    return {
      id: row.id,
      routeId: row.route_id,
      recurrence: parseRecurrence(row.time_recurrence),
      destType: row.dest_type,
      destUuid: row.dest_uuid,
      body: row.body,
    };
  } catch (error) {
    // Writes reject bad strings; a row that still fails to parse (written before a bound existed) can never match.
    leftOut(`time segment ${row.id} of route ${row.route_id} is left out of routing: ${(error as Error).message}`);
    return undefined;
  }
}

function segmentsByRoute(rows: Row<'time_recurrences'>[], leftOut: (message: string) => void): Map<number, TimeSegment[]> {
  const byRoute = new Map<number, TimeSegment[]>();
  for (const row of rows) {
    const segment = toSegment(row, leftOut);
    if (!segment) continue;
    const list = byRoute.get(row.route_id) ?? [];
    list.push(segment);
    byRoute.set(row.route_id, list);
  }
  for (const list of byRoute.values()) list.sort((a, b) => a.id - b.id);
  return byRoute;
}

/**
 * The routing engine's index of the `routes` table (and their time segments), loaded at start and
 * kept current by every committed write of this process and, through the change feed, of every
 * other process sharing the database.
 */
class LiveRouteIndex {
  private readonly index = new RouteIndex();
  /** Every change to the index runs in this queue, in order: a later read never loses to an earlier one. */
  private changes: Promise<void> = Promise.resolve();
  private loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Follows the routes topic, then starts the full load without waiting for it: the API answers
   * at once, routing once the index is complete. A change made during the load is applied after
   * it, never lost.
   */
  async start(writes: WritePath): Promise<void> {
    await writes.follow(ROUTES_TOPIC, (ids) => this.refresh(ids), () => {
      this.enqueue(() => this.loadAll()).catch((error: unknown) => this.log(`route reload failed: ${(error as Error).message}`));
    });
    this.loaded = this.enqueue(() => this.loadAll());
  }

  /** The index, once the first load completed; rejects if it failed. */
  async ready(): Promise<RouteIndex> {
    await this.loaded;
    return this.index;
  }

  private enqueue(change: () => Promise<void>): Promise<void> {
    const next = this.changes.then(change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  private async loadAll(): Promise<void> {
    const routes: Route[] = [];
    let after = 0;
    for (;;) {
      const chunk = await this.db.kysely
        .selectFrom('routes')
        .select(routeColumns)
        .where('id', '>', after)
        .orderBy('id')
        .limit(LOAD_CHUNK)
        .execute();
      for (const row of chunk) routes.push(toRoute(row));
      if (chunk.length < LOAD_CHUNK) break;
      after = chunk[chunk.length - 1]!.id;
      // better-sqlite3 answers synchronously: let requests in between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const segments = segmentsByRoute(await this.db.kysely.selectFrom('time_recurrences').selectAll().execute(), this.log);
    this.index.replaceAll(routes);
    for (const [routeId, list] of segments) this.index.setTimeSegments(routeId, list);
  }

  /** Re-reads these routes (and their time segments) and brings the index in line with the database. */
  private refresh(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.enqueue(() => this.reload(ids));
  }

  private async reload(ids: readonly number[]): Promise<void> {
    const unique = [...new Set(ids)];
    const [rows, segmentRows] = await Promise.all([
      this.db.kysely.selectFrom('routes').select(routeColumns).where('id', 'in', unique).execute(),
      this.db.kysely.selectFrom('time_recurrences').selectAll().where('route_id', 'in', unique).execute(),
    ]);
    const present = new Set(rows.map((row) => row.id));
    for (const id of unique) if (!present.has(id)) this.index.remove(id);
    const segments = segmentsByRoute(segmentRows, this.log);
    for (const row of rows) {
      this.index.upsert(toRoute(row));
      this.index.setTimeSegments(row.id, segments.get(row.id) ?? []);
    }
  }
}

/**
 * Something read per route (its full row, its params), the most recently used kept in memory,
 * dropped when the route changes: writes to a route's params and time segments count as changes
 * of the route.
 */
class PerRouteCache<T> {
  private readonly entries = new Map<number, T>();
  /** Bumped by every change, so a fetch that raced a write does not cache what it read before it. */
  private generation = 0;

  /** `load` answers the entries of the routes it finds; a route it leaves out does not exist. */
  constructor(private readonly load: (ids: readonly number[]) => Promise<Map<number, T>>) {}

  async start(writes: WritePath): Promise<void> {
    await writes.follow(ROUTES_TOPIC, (ids) => this.forget(ids), () => this.forget());
  }

  private forget(ids?: readonly number[]): void {
    this.generation++;
    if (!ids) return this.entries.clear();
    for (const id of ids) this.entries.delete(id);
  }

  /** The entries of these routes, in the order asked; routes that no longer exist are left out. */
  async of(ids: readonly number[]): Promise<T[]> {
    const missing = ids.filter((id) => !this.entries.has(id));
    let fetched = new Map<number, T>();
    if (missing.length > 0) {
      const generation = this.generation;
      fetched = await this.load(missing);
      if (generation === this.generation) {
        for (const [id, entry] of fetched) {
          if (this.entries.size >= ROW_CACHE_SIZE) this.entries.delete(this.entries.keys().next().value!);
          this.entries.set(id, entry);
        }
      }
    }
    return ids.flatMap((id) => {
      const entry = fetched.get(id) ?? this.entries.get(id);
      return entry === undefined ? [] : [entry];
    });
  }
}

async function loadRows(db: Db, ids: readonly number[]): Promise<Map<number, Row<'routes'>>> {
  const rows = await db.kysely.selectFrom('routes').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Each route's params in run order; [] for a route without any (or without a row: such an entry
 * is never asked for, and is dropped like any other when a route of that id is written).
 */
async function loadParams(db: Db, ids: readonly number[]): Promise<Map<number, Row<'params'>[]>> {
  const params = await db.kysely.selectFrom('params').selectAll().where('realm', '=', ROUTE_PARAM_REALM).where('ref_id', 'in', ids)
    .orderBy('o').orderBy('id').execute();
  const byRoute = new Map<number, Row<'params'>[]>(ids.map((id) => [id, []]));
  for (const param of params) byRoute.get(param.ref_id)?.push(param);
  return byRoute;
}

/**
 * Routing as the API and the dialplan use it: the live index (loading and following), the row
 * cache, and the pure `decide()` in the server's zone. Writes go through the write path; this
 * only reads.
 */
export class RouteTable {
  private readonly live: LiveRouteIndex;
  private readonly rows: PerRouteCache<Row<'routes'>>;
  private readonly params: PerRouteCache<Row<'params'>[]>;
  private readonly lists: LiveRoutingLists;

  constructor(
    db: Db,
    private readonly zone: string,
    log: (message: string) => void = () => undefined,
    /** The DIDs and DODs decisions consult (src/resources/hotlines/number-plans.ts); none when omitted. */
    private readonly plans?: { ready(): Promise<NumberPlans> },
  ) {
    this.live = new LiveRouteIndex(db, log);
    this.rows = new PerRouteCache((ids) => loadRows(db, ids));
    this.params = new PerRouteCache((ids) => loadParams(db, ids));
    this.lists = new LiveRoutingLists(db);
  }

  async start(writes: WritePath): Promise<void> {
    await this.rows.start(writes);
    await this.params.start(writes);
    await this.lists.start(writes);
    await this.live.start(writes);
  }

  /** Resolves when the first load completed; rejects if it failed. */
  async whenLoaded(): Promise<void> {
    await this.live.ready();
  }

  rowsOf(ids: readonly number[]): Promise<Row<'routes'>[]> {
    return this.rows.of(ids);
  }

  /** A route's params in run order (disabled ones too), as the dialplan runs them; [] for an unknown route. */
  async paramsOf(routeId: number): Promise<Row<'params'>[]> {
    return (await this.params.of([routeId]))[0] ?? [];
  }

  /** The routes a call to `destNumber` in `context` would consider, in decision order. */
  async candidates(context: string, destNumber: string): Promise<Route[]> {
    return (await this.live.ready()).candidates(context, destNumber);
  }

  async decide(call: { context: string; destNumber: string; callerNumber?: string; callerExtension?: CallerExtension; at?: Date }): Promise<Decision> {
    const [index, plans] = await Promise.all([this.live.ready(), this.plans?.ready()]);
    const full = { ...call, at: call.at ?? new Date(), zone: this.zone };
    // The chosen route's blacklist and tables (and its gateway's) are loaded on first use (or after they changed).
    for (;;) {
      const decision = decide(index, full, { lists: this.lists, plans });
      const missing = this.lists.missingFor(decision);
      if (missing.blacklists.length === 0 && missing.tables.length === 0) return decision;
      await this.lists.load(missing);
    }
  }
}
