import type { Row, TableName } from './schema.js';
import type { WriteScope } from './write-path.js';

/**
 * Says what still refers to a row about to be deleted, in words a client can act on
 * (`route "office" (id 3)`), or undefined when nothing does.
 */
export type ReferenceCheck<T extends TableName> = (scope: WriteScope, row: Row<T>) => Promise<string | undefined>;

/**
 * Who refers to whom, declared by the referring resource (routes name contexts, IVRs, gateways…)
 * so that the referred resource needs not know its referrers: its delete asks here.
 */
export class References {
  private readonly checks = new Map<TableName, ReferenceCheck<any>[]>();

  add<T extends TableName>(table: T, check: ReferenceCheck<T>): void {
    this.checks.set(table, [...(this.checks.get(table) ?? []), check]);
  }

  /** The first referrer of `row`, if any. Call it with the row locked for update. */
  async referrerOf<T extends TableName>(scope: WriteScope, table: T, row: Row<T>): Promise<string | undefined> {
    for (const check of this.checks.get(table) ?? []) {
      const referrer = await check(scope, row);
      if (referrer) return referrer;
    }
    return undefined;
  }
}
