import type { Db } from '../../db/connect.js';
import type { Row } from '../../db/schema.js';
import type { WritePath } from '../../db/write-path.js';
import { RouteIndex } from '../../routing/route-index.js';
import { decide, type Decision } from '../../routing/decide.js';
import { parseRecurrence } from '../../routing/recurrence.js';
import type { Route, TimeSegment } from '../../routing/types.js';
import { ROUTES_TOPIC } from './store.js';

const LOAD_CHUNK = 20_000;
/** Full rows of the routes most recently fetched (verification, the dialplan); oldest out first. */
const ROW_CACHE_SIZE = 20_000;

type RouteColumns = Pick<Row<'routes'>, 'id' | 'name' | 'context' | 'prefix' | 'max_length' | 'disabled' | 'dest_type' | 'dest_uuid' | 'body' | 'dnc' | 'sdnc'>;
const routeColumns = ['id', 'name', 'context', 'prefix', 'max_length', 'disabled', 'dest_type', 'dest_uuid', 'body', 'dnc', 'sdnc'] as const;

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

/** Full route rows by id, the most recently used kept in memory, dropped when their route changes. */
class RouteRows {
  private readonly rows = new Map<number, Row<'routes'>>();
  /** Bumped by every change, so a fetch that raced a write does not cache what it read before it. */
  private generation = 0;

  constructor(private readonly db: Db) {}

  async start(writes: WritePath): Promise<void> {
    await writes.follow(ROUTES_TOPIC, (ids) => this.forget(ids), () => this.forget());
  }

  private forget(ids?: readonly number[]): void {
    this.generation++;
    if (!ids) return this.rows.clear();
    for (const id of ids) this.rows.delete(id);
  }

  /** The full rows of these routes, in the order asked; ids that no longer exist are left out. */
  async of(ids: readonly number[]): Promise<Row<'routes'>[]> {
    const missing = ids.filter((id) => !this.rows.has(id));
    const fetched = new Map<number, Row<'routes'>>();
    if (missing.length > 0) {
      const generation = this.generation;
      const rows = await this.db.kysely.selectFrom('routes').selectAll().where('id', 'in', missing).execute();
      for (const row of rows) fetched.set(row.id, row);
      if (generation === this.generation) {
        for (const row of rows) {
          if (this.rows.size >= ROW_CACHE_SIZE) this.rows.delete(this.rows.keys().next().value!);
          this.rows.set(row.id, row);
        }
      }
    }
    return ids.flatMap((id) => {
      const row = fetched.get(id) ?? this.rows.get(id);
      return row ? [row] : [];
    });
  }
}

/**
 * Routing as the API and the dialplan use it: the live index (loading and following), the row
 * cache, and the pure `decide()` in the server's zone. Writes go through the write path; this
 * only reads.
 */
export class RouteTable {
  private readonly live: LiveRouteIndex;
  private readonly rows: RouteRows;

  constructor(
    db: Db,
    private readonly zone: string,
    log: (message: string) => void = () => undefined,
  ) {
    this.live = new LiveRouteIndex(db, log);
    this.rows = new RouteRows(db);
  }

  async start(writes: WritePath): Promise<void> {
    await this.rows.start(writes);
    await this.live.start(writes);
  }

  /** Resolves when the first load completed; rejects if it failed. */
  async whenLoaded(): Promise<void> {
    await this.live.ready();
  }

  rowsOf(ids: readonly number[]): Promise<Row<'routes'>[]> {
    return this.rows.of(ids);
  }

  /** The routes a call to `destNumber` in `context` would consider, in decision order. */
  async candidates(context: string, destNumber: string): Promise<Route[]> {
    return (await this.live.ready()).candidates(context, destNumber);
  }

  async decide(call: { context: string; destNumber: string; callerNumber?: string; at?: Date }): Promise<Decision> {
    return decide(await this.live.ready(), { ...call, at: call.at ?? new Date(), zone: this.zone });
  }
}
