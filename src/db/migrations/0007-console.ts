import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';
import type { DictSeed } from './seed-data.js';

/**
 * The realms CherryPBX's pickers read (research/xswitch-client-expectations.md), with values the
 * switch takes as they are: TONE entries are tone_stream bodies (FreeSWITCH's own vars.xml tones,
 * under the same names; the console plays them as `tone_stream://<v>`), LOCAL_STREAM entries
 * whole `local_stream://` URLs (the names of FreeSWITCH's sample local_stream.conf), and
 * CONF_VIDEO_MODE values mod_conference's `video-mode` settings. XUI_SCRIPTS stays empty: it lists
 * built-in scripts, and Switchboard ships none a switch could run.
 */
export const consoleDictSeeds: DictSeed[] = [
  ...([
    ['au-ring', '%(400,200,383,417);%(400,2000,383,417)'],
    ['be-ring', '%(1000,3000,425)'],
    ['ca-ring', '%(2000,4000,440,480)'],
    ['cn-ring', '%(1000,4000,450)'],
    ['cy-ring', '%(1500,3000,425)'],
    ['cz-ring', '%(1000,4000,425)'],
    ['de-ring', '%(1000,4000,425)'],
    ['dk-ring', '%(1000,4000,425)'],
    ['dz-ring', '%(1500,3500,425)'],
    ['eg-ring', '%(2000,1000,475,375)'],
    ['es-ring', '%(1500,3000,425)'],
    ['fi-ring', '%(1000,4000,425)'],
    ['fr-ring', '%(1500,3500,440)'],
    ['hk-ring', '%(400,200,440,480);%(400,3000,440,480)'],
    ['hu-ring', '%(1250,3750,425)'],
    ['il-ring', '%(1000,3000,400)'],
    ['in-ring', '%(400,200,425,375);%(400,2000,425,375)'],
    ['jp-ring', '%(1000,2000,420,380)'],
    ['ko-ring', '%(1000,2000,440,480)'],
    ['pk-ring', '%(1000,2000,400)'],
    ['pl-ring', '%(1000,4000,425)'],
    ['ro-ring', '%(1850,4150,475,425)'],
    ['rs-ring', '%(1000,4000,425)'],
    ['ru-ring', '%(800,3200,425)'],
    ['sa-ring', '%(1200,4600,425)'],
    ['tr-ring', '%(2000,4000,450)'],
    ['uk-ring', '%(400,200,400,450);%(400,2000,400,450)'],
    ['us-ring', '%(2000,4000,440,480)'],
    ['beep', '%(1000,0,640)'],
    ['sit', '%(274,0,913.8);%(274,0,1370.6);%(380,0,1776.7)'],
  ] as const).map(([k, v]) => ({ realm: 'TONE', k, v })),
  ...([
    ['moh', 'local_stream://moh'],
    ['default', 'local_stream://default'],
  ] as const).map(([k, v]) => ({ realm: 'LOCAL_STREAM', k, v })),
  // What a media file is; CherryPBX's media page adds its own types to this realm.
  ...['UPLOAD', 'RECORD', 'AUTORECORD', 'SYSTEM', 'TTS', 'AUDIO', 'VIDEO', 'FAX'].map((k) => ({ realm: 'MFILE_TYPE', k, v: k })),
  // CherryPBX shows `v` through its translations, which know these spellings.
  ...['SIP', 'WebRTC', 'SIP+WebRTC'].map((k) => ({ realm: 'EXTENSION_TYPE', k, v: k })),
  ...([
    ['CONF_VIDEO_MODE_PASSTHROUGH', 'passthrough'],
    ['CONF_VIDEO_MODE_TRANSCODE', 'transcode'],
    ['CONF_VIDEO_MODE_MUX', 'mux'],
  ] as const).map(([k, v]) => ({ realm: 'CONF_VIDEO_MODE', k, v })),
  ...['CONF_CP_NO_CHECK', 'CONF_CP_CHECK_CID', 'CONF_CP_AUTH_USER'].map((k) => ({ realm: 'CONF_CALL_PERM', k, v: k })),
  // CherryPBX offers trunks (XSwitch's "KA" features) unless this says "false"; Switchboard has them.
  { realm: 'XUI', k: 'IS_PRODUCT_GW', v: 'true' },
];

export function consoleSupport(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const now = new Date().toISOString();
      // Entries a client already added under the same realm and key stay as they are.
      const existing = new Set(
        (await db.selectFrom('dicts').select(['realm', 'k']).execute()).map((row: { realm: string; k: string }) => `${row.realm}\u0000${row.k}`),
      );
      const lastOrder = new Map<string, number>(
        (await db.selectFrom('dicts').select(['realm', (eb) => eb.fn.max('o').as('o')]).groupBy('realm').execute())
          .map((row: { realm: string; o: number }) => [row.realm, Number(row.o)]),
      );
      const missing = consoleDictSeeds.filter((seed) => !existing.has(`${seed.realm}\u0000${seed.k}`));
      if (missing.length > 0) {
        await db.insertInto('dicts').values(missing.map((seed) => {
          const o = (lastOrder.get(seed.realm) ?? 0) + 1;
          lastOrder.set(seed.realm, o);
          return { realm: seed.realm, k: seed.k, v: seed.v, d: seed.d ?? '', o, created_at: now, updated_at: now };
        })).execute();
      }

      const text = (c: any) => c.notNull().defaultTo(emptyText);
      // A file's path is MEDIA_DIR + file_name, worked out when read, so that MEDIA_DIR may move.
      await withId(db.schema.createTable('media_files'), dialect)
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('description', 'varchar(1024)', text)
        .addColumn('file_name', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('original_file_name', 'varchar(255)', text)
        .addColumn('ext', 'varchar(16)', (c) => c.notNull())
        .addColumn('mime', 'varchar(64)', (c) => c.notNull())
        .addColumn('file_size', 'integer', (c) => c.notNull())
        .addColumn('channel_uuid', 'varchar(64)', text)
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('media_files_type').on('media_files').column('type').execute();
    },
  };
}
