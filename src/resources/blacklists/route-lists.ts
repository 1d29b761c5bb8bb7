import type { WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';
import { translationTableOf } from '../../routing/number-translation.js';

/**
 * A route's blacklist and the translation tables its dnc/sdnc name exist, each held until commit
 * so that it cannot be deleted under the route; a 400 names the field that names a missing one.
 */
export async function assertRouteListsExist(scope: WriteScope, route: { blacklist?: string | undefined; dnc?: string | undefined; sdnc?: string | undefined }): Promise<void> {
  if (route.blacklist) {
    const found = await scope.lock('blacklists', 'id', Number(route.blacklist), 'share');
    if (!found) throw badRequest('blacklist', `no blacklist with id ${route.blacklist} (see /api/blacklists)`);
  }
  for (const field of ['dnc', 'sdnc'] as const) {
    const table = translationTableOf(route[field] ?? '');
    if (table !== null && !await scope.lock('number_translations', 'id', table, 'share')) {
      throw badRequest(field, `no number translation table with id ${table} (see /api/number_translation)`);
    }
  }
}
