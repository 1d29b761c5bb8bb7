import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WritePath, WriteScope } from '../../db/write-path.js';
import { conflict, notFound, uniqueViolation } from '../../http/errors.js';
import { lockedById } from '../../http/kit/crud.js';
import { assertDistinct, insertRows } from './bulk.js';

/**
 * The numbers of a blacklist or of a translation table: rows of their own under an owner row,
 * unique per owner in one column. Every write holds the owner, publishes the owner's id on its
 * topic (routing drops its copy of the list), and turns a duplicate into a 409 naming the item.
 */
export interface OwnedNumbersTable {
  owners: 'blacklists' | 'number_translations';
  table: 'blacklist_numbers' | 'number_translation_numbers';
  owner: 'blacklist_id' | 'table_id';
  /** The column unique per owner. */
  number: 'v' | 'original_number';
  topic: string;
  noun: string;
}

type Values = Record<string, string>;

/** Rows added at once past which PostgreSQL's statistics of the table are refreshed before answering. */
const ANALYZE_AFTER = 10_000;

export class OwnedNumbers {
  constructor(
    private readonly spec: OwnedNumbersTable,
    private readonly writes: WritePath,
    private readonly db: Kysely<Database>,
  ) {}

  /** Adds one number; answers its id. */
  async add(ownerId: number, values: Values): Promise<number> {
    return this.write(ownerId, async (scope, now) => {
      const row = await (scope.trx as Kysely<any>).insertInto(this.spec.table)
        .values({ ...values, [this.spec.owner]: ownerId, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
      return row.id as number;
    }).catch((error: unknown) => this.asTaken(error, this.spec.number, values[this.spec.number]));
  }

  async change(ownerId: number, id: number, values: Values): Promise<void> {
    await this.write(ownerId, async (scope, now) => {
      await this.lockedOwn(scope, ownerId, id);
      await (scope.trx as Kysely<any>).updateTable(this.spec.table).set({ ...values, updated_at: now }).where('id', '=', id).execute();
    }).catch((error: unknown) => this.asTaken(error, this.spec.number, values[this.spec.number]));
  }

  async remove(ownerId: number, id: number): Promise<void> {
    await this.write(ownerId, async (scope) => {
      await this.lockedOwn(scope, ownerId, id);
      await scope.trx.deleteFrom(this.spec.table).where('id', '=', id).execute();
    });
  }

  /**
   * Adds every number or none, given column by column (every text column an import sets, each as
   * long as the others); `field(index)` names a refused one. Answers the new ids in input order and the stored
   * creation time they share.
   */
  async addMany(ownerId: number, columns: Readonly<Record<string, readonly string[]>>, field: (index: number) => string): Promise<{ ids: Float64Array; createdAt: string }> {
    const { table, owner, number: indexed } = this.spec;
    const numbers = columns[indexed]!;
    assertDistinct(numbers, field, this.spec.noun);
    const { dialect, ...added } = await this.write(ownerId, async (scope, createdAt) => ({
      ids: await insertRows(scope.trx, scope.dialect, { table, owner, ownerId, createdAt, columns, indexed }),
      createdAt,
      dialect: scope.dialect,
    })).catch((error: unknown) => (uniqueViolation(error) ? this.conflictOnTaken(ownerId, numbers, field) : Promise.reject(error)));
    // PostgreSQL plans the routing engine's load of the list from the table's statistics; until
    // autovacuum refreshes them (a minute or more later), a freshly filled table was read by
    // bitmap scans and spilled sorts: 7 s instead of 1.4 s to load a 1M-number list at the next call.
    if (dialect === 'postgres' && numbers.length >= ANALYZE_AFTER) await sql`analyze ${sql.table(table)}`.execute(this.db);
    return added;
  }

  /** A write under the owner of the URL (held until commit; 404 when there is none). */
  private write<T>(ownerId: number, work: (scope: WriteScope, now: string) => Promise<T>): Promise<T> {
    return this.writes.run(async (scope) => {
      if (!await scope.lock(this.spec.owners, 'id', ownerId, 'share')) throw notFound();
      const result = await work(scope, storedNow());
      scope.changed(this.spec.topic, [ownerId]);
      return result;
    });
  }

  /** A number of the owner, locked for change; 404 when the owner has no such number. */
  private async lockedOwn(scope: WriteScope, ownerId: number, id: number): Promise<void> {
    const row = await lockedById(scope, this.spec.table, id) as Record<string, unknown>;
    if (row[this.spec.owner] !== ownerId) throw notFound();
  }

  private asTaken(error: unknown, field: string, number: string | undefined): never {
    if (uniqueViolation(error)) throw conflict(field, `${this.spec.noun} "${number}" is already listed`);
    throw error;
  }

  /**
   * After a unique violation: 409 naming the first of `numbers` the owner already has (the write
   * rolled back, so this reads what was there before it).
   */
  private async conflictOnTaken(ownerId: number, numbers: readonly string[], field: (index: number) => string): Promise<never> {
    const taken = new Set<string>();
    for (let start = 0; start < numbers.length; start += LOOKUP_CHUNK) {
      const rows: Values[] = await (this.db as Kysely<any>).selectFrom(this.spec.table).select(this.spec.number)
        .where(this.spec.owner, '=', ownerId).where(this.spec.number, 'in', numbers.slice(start, start + LOOKUP_CHUNK)).execute();
      for (const row of rows) taken.add(row[this.spec.number]!);
    }
    const index = numbers.findIndex((number) => taken.has(number));
    if (index < 0) throw conflict(field(0), `another write changed these ${this.spec.noun}s meanwhile; nothing was written, try again`);
    throw conflict(field(index), `${this.spec.noun} "${numbers[index]}" is already listed`);
  }
}

const LOOKUP_CHUNK = 5_000;
