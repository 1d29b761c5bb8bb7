/**
 * The enabled function codes, held in memory for the dialplan (a query per call would cost more
 * than routing it): loaded on first use, dropped on every committed change of this process and,
 * through the change feed, of the others sharing the database.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { WritePath } from '../../db/write-path.js';
import type { FunctionCode } from '../../routing/function-codes.js';

export const FUNCTION_CODES_TOPIC = 'function_codes';

export class FunctionCodeTable {
  private codes: Promise<readonly FunctionCode[]> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  async start(writes: WritePath): Promise<void> {
    const forget = () => {
      this.codes = undefined;
    };
    await writes.follow(FUNCTION_CODES_TOPIC, forget, forget);
  }

  /** The enabled codes; a load dropped by a change while it ran is not kept past that change. */
  enabled(): Promise<readonly FunctionCode[]> {
    if (!this.codes) {
      const loading = this.load();
      this.codes = loading;
      loading.catch(() => {
        if (this.codes === loading) this.codes = undefined;
      });
    }
    return this.codes;
  }

  private async load(): Promise<readonly FunctionCode[]> {
    const rows = await this.db.selectFrom('function_codes').select(['id', 'func_code', 'func_type']).where('disabled', '=', 0).orderBy('id').execute();
    return rows.map((row) => ({ id: row.id, code: row.func_code, type: row.func_type }));
  }
}
