/**
 * dnc/sdnc rules as routes and gateways store them: the same checks on write (a 400 naming the
 * field), the same hold on the translation tables they name, and the same question on a table's
 * delete (who names it), so that a table named by either cannot go away under it.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';
import { numberRulesProblem } from '../../routing/dialplan-values.js';
import { storedTableRule, translationTableOf } from '../../routing/number-translation.js';

export interface NumberRules {
  dnc?: string | undefined;
  sdnc?: string | undefined;
}

/** The rules as stored: a table named with empty slots in the form CherryPBX reads back (storedTableRule). */
export function storedNumberRules<Rules extends NumberRules>(rules: Rules): Rules {
  const stored = { ...rules };
  if (stored.dnc) stored.dnc = storedTableRule(stored.dnc);
  if (stored.sdnc) stored.sdnc = storedTableRule(stored.sdnc);
  return stored;
}

/**
 * The translation tables the rules name exist, each held until commit so that it cannot be
 * deleted under its referrer; a 400 names the field that names a missing one.
 */
export async function assertTablesExist(scope: WriteScope, rules: NumberRules): Promise<void> {
  for (const field of ['dnc', 'sdnc'] as const) {
    const table = translationTableOf(rules[field] ?? '');
    if (table !== null && !await scope.lock('number_translations', 'id', table, 'share')) {
      throw badRequest(field, `no number translation table with id ${table} (see /api/number_translation)`);
    }
  }
}

/** The rules are well formed (numberRulesProblem) and the tables they name exist. */
export async function assertNumberRules(scope: WriteScope, rules: NumberRules): Promise<void> {
  const problem = numberRulesProblem(rules);
  if (problem) throw badRequest(problem.field, problem.problem);
  await assertTablesExist(scope, rules);
}

/** The first row of `table` (routes or gateways) whose dnc or sdnc names translation table `tableId`. */
export function rowNamingTable(db: Kysely<Database>, table: 'routes' | 'gateways', tableId: number) {
  const names = (column: 'dnc' | 'sdnc') => sql<boolean>`${sql.ref(column)} like ${`s/prefix\\_nts\\_${tableId}/%`} escape '\\' or ${sql.ref(column)} like ${`s/exact\\_nts\\_${tableId}/%`} escape '\\'`;
  return db.selectFrom(table).select(['id', 'name']).where((eb) => eb.or([names('dnc'), names('sdnc')])).orderBy('id').executeTakeFirst();
}
