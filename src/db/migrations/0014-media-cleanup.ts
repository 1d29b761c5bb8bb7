import type { Kysely } from 'kysely';

/**
 * The media page's "Regular Delete": one policy row (recordings older than `keep_months` are
 * deleted, every hour, by every process), and the DATE_TYPE thresholds its picker offers. The
 * picker labels an entry `<v> month(s)` when its key contains "Month", else `<v> year(s)`, and
 * sends `<v><k>` as the threshold.
 */
export function mediaCleanup() {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const now = new Date().toISOString();
      await db.schema.createTable('media_cleanup')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('keep_months', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      const thresholds = [['Month', '1'], ['Months', '3'], ['HalfYearMonths', '6'], ['Year', '1']];
      await db.insertInto('dicts')
        .values(thresholds.map(([k, v], index) => ({ realm: 'DATE_TYPE', k, v, d: '', o: index + 1, created_at: now, updated_at: now })))
        .execute();
    },
  };
}
