/**
 * Recording every call of an extension, switched from its phone with the recording function code
 * (src/freeswitch/function-code-calls.ts): the same `auto_record` the console sets, which the
 * directory hands to the extension's calls.
 */
import { storedNow } from '../../db/queries.js';
import type { WritePath } from '../../db/write-path.js';
import { EXTENSIONS_TOPIC } from './routes.js';

/** Turns the extension's recording on when off and off when on; false when the extension is gone. */
export function toggleAutoRecord(writes: WritePath, extensionId: number): Promise<boolean> {
  return writes.run(async (scope) => {
    // Locked for update: flipping what was read is exact.
    const extension = await scope.lock('extensions', 'id', extensionId, 'update');
    if (!extension) return false;
    await scope.trx.updateTable('extensions').set({ auto_record: 1 - extension.auto_record, updated_at: storedNow() }).where('id', '=', extensionId).execute();
    scope.changed(EXTENSIONS_TOPIC, [extensionId]);
    return true;
  });
}
