import { sql, type Kysely } from 'kysely';
import type { Db, DialectName } from './connect.js';
import type { Database, Row, TableName } from './schema.js';

/**
 * Something the switches or other listeners must learn of a committed change, as plain data
 * (e.g. `{ kind: 'sofia-rescan', key: 'sofia-rescan:internal', profile: 'internal' }`). Effects
 * with the same `key` collapse into one: ten gateways edited in one request rescan their profile
 * once.
 */
export interface Effect {
  readonly kind: string;
  readonly key: string;
  readonly [detail: string]: unknown;
}

/** Receives the effects of each committed write, in commit order (e.g. the Event Socket notifier). */
export type EffectSink = (effects: readonly Effect[]) => Promise<void> | void;

/** Hears, after commit, which rows of its topic this process changed (e.g. the routing index). */
export type CommitListener = (ids: readonly number[]) => Promise<void> | void;

/**
 * What a write may do besides its statements: say which rows changed (published on the change
 * feed inside the transaction, so other processes hear of it exactly when it commits) and queue
 * effects (sent after commit, never for a write that rolled back). Every statement goes through
 * `trx`: on SQLite the transaction holds the only connection, so a query on another handle would
 * wait for it forever.
 */
export interface WriteScope {
  readonly trx: Kysely<Database>;
  readonly dialect: DialectName;
  changed(topic: string, ids: Iterable<number>): void;
  effect(effect: Effect): void;
  /**
   * Reads a row and, on PostgreSQL, holds it until commit: `share` keeps it from being deleted
   * or changed (a child being added under it), `update` from being read for share too (the row
   * is being changed or deleted, and what depends on it is being checked). SQLite transactions
   * already run one at a time.
   */
  lock<T extends TableName>(table: T, column: keyof Row<T> & string, value: string | number, mode: 'share' | 'update'): Promise<Row<T> | undefined>;
  /** `lock` for many rows by id: answers the ids that exist, each held until commit. */
  lockIds(table: TableName, ids: readonly number[], mode: 'share' | 'update'): Promise<Set<number>>;
  /** Runs the rest of the transaction alone among writers naming the same `name` (generated keys). */
  serialize(name: string): Promise<void>;
}

/**
 * The one path by which every resource writes: a transaction, the change-feed publication of
 * what it changed, then (after commit) this process's listeners and the effects, repeats
 * collapsed. Modelled on wazo-confd's notifiers and their after-request flush.
 */
export class WritePath {
  private readonly listeners = new Map<string, CommitListener[]>();
  private readonly sinks: EffectSink[] = [];

  constructor(
    private readonly db: Db,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** `listener` runs after each commit that changed rows of `topic`; the write answers after it. */
  onCommit(topic: string, listener: CommitListener): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), listener]);
  }

  /**
   * Hears of every committed change of `topic`: this process's right after commit (the write
   * answers after `onChange` settles), other processes' through the change feed. `onResync` runs
   * when feed messages may have been missed (a reconnect): reload everything.
   */
  async follow(topic: string, onChange: CommitListener, onResync: () => void): Promise<void> {
    this.onCommit(topic, onChange);
    await this.db.changes.subscribe(
      topic,
      (ids) => void Promise.resolve(onChange(ids)).catch((error: unknown) => this.log(`${topic} refresh failed: ${(error as Error).message}`)),
      onResync,
    );
  }

  onEffects(sink: EffectSink): void {
    this.sinks.push(sink);
  }

  async run<T>(work: (scope: WriteScope) => Promise<T>): Promise<T> {
    const changes = new Map<string, Set<number>>();
    const effects = new Map<string, Effect>();
    const { dialect } = this.db;
    const result = await this.db.kysely.transaction().execute(async (trx) => {
      const scope: WriteScope = {
        trx,
        dialect,
        changed(topic, ids) {
          const set = changes.get(topic) ?? new Set<number>();
          for (const id of ids) set.add(id);
          changes.set(topic, set);
        },
        effect(effect) {
          effects.delete(effect.key);
          effects.set(effect.key, effect);
        },
        lock: (table, column, value, mode) => lockRow(trx, dialect, table, column, value, mode),
        lockIds: (table, ids, mode) => lockIds(trx, dialect, table, ids, mode),
        async serialize(name) {
          if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
        },
      };
      const value = await work(scope);
      for (const [topic, ids] of changes) await this.db.changes.publish(trx, topic, [...ids]);
      return value;
    });
    for (const [topic, ids] of changes) {
      for (const listener of this.listeners.get(topic) ?? []) await listener([...ids]);
    }
    if (effects.size > 0) {
      const queued = [...effects.values()];
      // The write committed: a sink that fails (a switch that is down) is its own business to
      // retry or resynchronise; the client's write succeeded and is answered as such.
      for (const sink of this.sinks) {
        try {
          await sink(queued);
        } catch (error) {
          this.log(`effects not delivered: ${(error as Error).message}`);
        }
      }
    }
    return result;
  }
}

async function lockRow<T extends TableName>(
  trx: Kysely<Database>,
  dialect: DialectName,
  table: T,
  column: string,
  value: string | number,
  mode: 'share' | 'update',
): Promise<Row<T> | undefined> {
  let query = (trx as Kysely<any>).selectFrom(table).selectAll().where(column, '=', value);
  if (dialect === 'postgres') query = mode === 'share' ? query.forShare() : query.forUpdate();
  return (await query.executeTakeFirst()) as Row<T> | undefined;
}

async function lockIds(trx: Kysely<Database>, dialect: DialectName, table: TableName, ids: readonly number[], mode: 'share' | 'update'): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  // Sorted, so that two writers locking overlapping sets take the locks in one order (no deadlock).
  let query = (trx as Kysely<any>).selectFrom(table).select('id').where('id', 'in', [...new Set(ids)].sort((a, b) => a - b)).orderBy('id');
  if (dialect === 'postgres') query = mode === 'share' ? query.forShare() : query.forUpdate();
  const rows: { id: number }[] = await query.execute();
  return new Set(rows.map((row) => row.id));
}
