import type { WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';
import { assertTablesExist } from '../number-translation/rules.js';

/**
 * A route's blacklist and the translation tables its dnc/sdnc name exist, each held until commit
 * so that it cannot be deleted under the route; a 400 names the field that names a missing one.
 */
export async function assertRouteListsExist(scope: WriteScope, route: { blacklist?: string | undefined; dnc?: string | undefined; sdnc?: string | undefined }): Promise<void> {
  if (route.blacklist) {
    const found = await scope.lock('blacklists', 'id', Number(route.blacklist), 'share');
    if (!found) throw badRequest('blacklist', `no blacklist with id ${route.blacklist} (see /api/blacklists)`);
  }
  await assertTablesExist(scope, route);
}
