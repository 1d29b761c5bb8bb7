import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { storedNow } from '../../db/queries.js';
import { badRequest } from '../../http/errors.js';
import { Message } from '../../http/kit/types.js';

/**
 * The media page's "Regular Delete". Only recordings are ever deleted: prompts (uploads, system
 * sounds, TTS) are played by IVRs and routes, and deleting them by age would silence those; nor a
 * recording an IVR plays (any file can be picked, and a file's type can be changed).
 */
const RECORDING_TYPES = ['RECORD', 'AUTORECORD'];
/** How often every process applies the policy; deleting is idempotent, so processes may overlap. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** The picker sends `<v><k>` of a DATE_TYPE entry: `3Months`, `1Year`, `6HalfYearMonths`. */
const THRESHOLD = /^([1-9][0-9]{0,2})[A-Za-z]*?(Month|Year)s?$/;
const POLICY_ID = 1;
/** Recordings looked at in one transaction of a sweep. */
const SWEEP_BATCH = 1000;

function monthsOf(threshold: string): number | null {
  const match = THRESHOLD.exec(threshold);
  if (!match) return null;
  const count = Number(match[1]);
  return match[2] === 'Year' ? count * 12 : count;
}

function cutoffFor(keepMonths: number, now = new Date()): string {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - keepMonths);
  return cutoff.toISOString();
}

export async function mediaCleanupRoutes(app: FastifyInstance, options: { mediaDir: string }) {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db.kysely;
  const tags = ['media_files'];

  /**
   * Deletes the recordings older than the policy's age, a batch to a transaction (a backlog of
   * years of auto-recordings would otherwise be one transaction over more ids than a statement
   * may bind); answers how many went.
   */
  async function sweep(keepMonths: number): Promise<number> {
    const cutoff = cutoffFor(keepMonths);
    let removedCount = 0;
    for (let after = 0; ;) {
      const batch = await app.writes.run(async (scope) => {
        const candidates = await scope.trx.selectFrom('media_files').selectAll()
          .where('type', 'in', RECORDING_TYPES).where('created_at', '<', cutoff).where('id', '>', after)
          .orderBy('id').limit(SWEEP_BATCH).execute();
        // A recording an IVR plays (picked from the list, or retyped from UPLOAD) stays: locked
        // as a single delete locks its file, then kept if anything refers to it.
        const held = await scope.lockIds('media_files', candidates.map((row) => row.id), 'update');
        const rows = [];
        for (const row of candidates) {
          if (!held.has(row.id)) continue;
          const referrer = await app.references.referrerOf(scope, 'media_files', row);
          if (referrer) app.log.info(`regular delete: media file ${row.id} kept, played by ${referrer}`);
          else rows.push(row);
        }
        if (rows.length > 0) await scope.trx.deleteFrom('media_files').where('id', 'in', rows.map((row) => row.id)).execute();
        return { rows, last: candidates.at(-1)?.id, full: candidates.length === SWEEP_BATCH };
      });
      // After commit, as a single delete does: a rolled-back sweep keeps its files.
      await Promise.all(batch.rows.map((row) => rm(join(options.mediaDir, row.file_name), { force: true })
        .catch((error: unknown) => app.log.error(`media file ${row.file_name} not removed: ${(error as Error).message}`))));
      removedCount += batch.rows.length;
      if (!batch.full || batch.last === undefined) break;
      after = batch.last;
    }
    if (removedCount > 0) app.log.info(`regular delete: ${removedCount} recordings older than ${keepMonths} months removed`);
    return removedCount;
  }

  const policy = () => db.selectFrom('media_cleanup').select('keep_months').where('id', '=', POLICY_ID).executeTakeFirst();

  const timer = setInterval(() => {
    void policy().then((row) => (row ? sweep(row.keep_months) : 0))
      .catch((error: unknown) => app.log.warn(`regular delete of media skipped: ${(error as Error).message}`));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  typed.get('/api/check/clean-file', {
    schema: {
      tags, summary: 'Whether the regular delete of old recordings is set',
      response: { 200: Type.Object({ msg: Type.Union([Type.Literal('Already Running'), Type.Literal('Not Running')]) }) },
    },
  }, async () => ({ msg: (await policy()) ? 'Already Running' as const : 'Not Running' as const }));

  typed.delete('/api/media_files/regular/:threshold/:regular', {
    schema: {
      tags,
      summary: 'Delete recordings older than a threshold, every hour from now on',
      description: 'threshold: a DATE_TYPE entry as the picker sends it (`<v><k>`, e.g. 3Months, 1Year); regular "true" also deletes at once. Only recordings (RECORD, AUTORECORD) are deleted, never prompts.',
      params: Type.Object({ threshold: Type.String(), regular: Type.String() }),
      response: { 200: Type.Object({ code: Type.Literal(200), message: Type.String(), deleted: Type.Integer() }), 400: Message },
    },
  }, async (request) => {
    const { threshold, regular } = request.params;
    const keepMonths = monthsOf(threshold);
    if (keepMonths === null) throw badRequest('threshold', 'must be a number of months or years, such as 3Months or 1Year');
    if (regular !== 'true' && regular !== 'false') throw badRequest('regular', 'must be "true" or "false"');
    await app.writes.run(async (scope) => {
      await scope.trx.deleteFrom('media_cleanup').where('id', '=', POLICY_ID).execute();
      await scope.trx.insertInto('media_cleanup').values({ id: POLICY_ID, keep_months: keepMonths, created_at: storedNow() }).execute();
    });
    const deleted = regular === 'true' ? await sweep(keepMonths) : 0;
    return { code: 200 as const, message: `recordings older than ${keepMonths} months are deleted every hour`, deleted };
  });

  typed.delete('/api/media_files/cancel/regular', {
    schema: { tags, summary: 'Stop the regular delete of old recordings', response: { 200: Message } },
  }, async () => {
    await app.writes.run(async (scope) => { await scope.trx.deleteFrom('media_cleanup').where('id', '=', POLICY_ID).execute(); });
    return { code: 200, message: 'regular delete stopped' };
  });
}
