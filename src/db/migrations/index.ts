import { Migrator, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../connect.js';
import { foundation } from './0001-foundation.js';
import { routing } from './0002-routing.js';
import { hardening } from './0003-hardening.js';
import { sipGateways } from './0004-sip-gateways.js';
import { ivrsBlocksFunctionCodes } from './0005-ivrs-blocks-function-codes.js';
import { trunks } from './0006-trunks.js';
import { consoleSupport } from './0007-console.js';
import { extensions } from './0008-extensions.js';
import { users } from './0009-users.js';
import { blacklistsNumberTranslation } from './0010-blacklists-number-translation.js';
import { didsDods } from './0011-dids-dods.js';
import { extensionFeatures } from './0012-extension-features.js';
import { mediaCleanup } from './0014-media-cleanup.js';
import { gatewayNumberTransforms } from './0015-gateway-number-transforms.js';
import { userGroups } from './0016-user-groups.js';
import { ringTimeout } from './0017-ring-timeout.js';
import { extensionSettings } from './0018-extension-settings.js';

/** Every migration in order; names are stored in the database, so never rename one. */
function allMigrations(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-foundation': foundation(dialect),
    '0002-routing': routing(dialect),
    '0003-hardening': hardening(),
    '0004-sip-gateways': sipGateways(dialect),
    '0005-ivrs-blocks-function-codes': ivrsBlocksFunctionCodes(dialect),
    '0006-trunks': trunks(dialect),
    '0007-console': consoleSupport(dialect),
    '0008-extensions': extensions(dialect),
    '0009-users': users(),
    '0010-blacklists-number-translation': blacklistsNumberTranslation(dialect),
    '0011-dids-dods': didsDods(dialect),
    '0012-extension-features': extensionFeatures(),
    '0014-media-cleanup': mediaCleanup(),
    '0015-gateway-number-transforms': gatewayNumberTransforms(),
    '0016-user-groups': userGroups(dialect),
    '0017-ring-timeout': ringTimeout(),
    '0018-extension-settings': extensionSettings(),
  };
}

export async function migrateToLatest(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => allMigrations(dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    const which = failed ? `migration ${failed.migrationName}` : 'migrating';
    throw new Error(`${which} failed: ${reason}`, { cause: error });
  }
}
