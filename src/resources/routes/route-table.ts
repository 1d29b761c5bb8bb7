import type { Kysely } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Database, Row } from '../../db/schema.js';
import { RouteIndex } from '../../routing/route-index.js';
import { decide, type Decision } from '../../routing/decide.js';
import { parseRecurrence } from '../../routing/recurrence.js';
import type { Route, TimeSegment } from '../../routing/types.js';

const LOAD_CHUNK = 20_000;
/** Full rows of the routes most recently fetched (verification now, the dialplan later); oldest out first. */
const ROW_CACHE_SIZE = 20_000;
const TOPIC = 'routes';

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
 * The routing engine's index of the `routes` table, kept current by every write of this process
 * and, through the database's change feed, of every other process sharing the database.
 */
export class RouteTable {
  private readonly index = new RouteIndex();
  /** Every change to the index runs in this queue, in order: a later read never loses to an earlier one. */
  private changes: Promise<void> = Promise.resolve();
  /** Settles when the first full load is in the index; routing answers wait for it. */
  private loaded: Promise<void> = Promise.resolve();
  private readonly rows = new Map<number, Row<'routes'>>();
  /** Bumped by every refresh, so a fetch that raced a write does not cache what it read before it. */
  private generation = 0;
  private log: (message: string) => void = () => undefined;

  constructor(
    private readonly db: Db,
    private readonly zone: string,
  ) {}

  /**
   * Subscribes to other processes' changes, then starts the full load without waiting for it: the
   * API answers at once, routing answers once the index is complete. A change made during the load
   * is applied after it, never lost.
   */
  async start(log: (message: string) => void): Promise<void> {
    this.log = log;
    const report = (what: string) => (error: unknown) => log(`${what} failed: ${(error as Error).message}`);
    await this.db.changes.subscribe(
      TOPIC,
      (ids) => void this.refresh(ids).catch(report('route refresh')),
      () => void this.enqueue(() => this.loadAll()).catch(report('route reload')),
    );
    this.loaded = this.enqueue(() => this.loadAll());
  }

  /** Resolves when the first load completed; rejects if it failed. */
  whenLoaded(): Promise<void> {
    return this.loaded;
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
    this.generation++;
    this.rows.clear();
    this.index.replaceAll(routes);
    for (const [routeId, list] of segments) this.index.setTimeSegments(routeId, list);
  }

  /** Re-reads these routes (and their time segments) and brings the index in line with the database. */
  refresh(ids: readonly number[]): Promise<void> {
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
    this.generation++;
    for (const id of unique) {
      this.rows.delete(id);
      if (!present.has(id)) this.index.remove(id);
    }
    const segments = segmentsByRoute(segmentRows, this.log);
    for (const row of rows) {
      this.index.upsert(toRoute(row));
      this.index.setTimeSegments(row.id, segments.get(row.id) ?? []);
    }
  }

  /** The full rows of these routes, in the order asked; ids that no longer exist are left out. */
  async rowsOf(ids: readonly number[]): Promise<Row<'routes'>[]> {
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

  /**
   * Runs `work` in a transaction that also tells the other processes which routes it changed
   * (`ids` of its result), then brings this process's index up to date: every write to routes or
   * their time segments goes through here.
   */
  async write<T>(ids: (result: T) => readonly number[], work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const result = await this.db.kysely.transaction().execute(async (trx) => {
      const value = await work(trx);
      await this.db.changes.publish(trx, TOPIC, ids(value));
      return value;
    });
    await this.refresh(ids(result));
    return result;
  }

  /** The routes a call to `destNumber` in `context` would consider, in decision order. */
  async candidates(context: string, destNumber: string): Promise<Route[]> {
    await this.loaded;
    return this.index.candidates(context, destNumber);
  }

  async decide(call: { context: string; destNumber: string; callerNumber?: string; at?: Date }): Promise<Decision> {
    await this.loaded;
    return decide(this.index, { ...call, at: call.at ?? new Date(), zone: this.zone });
  }
}
