import type { Kysely } from 'kysely';

/**
 * The settings CherryPBX's extension page saves beyond the SIP account (its 主叫业务 and 被叫业务
 * sections): until now accepted and dropped, so they came back as defaults after a reload.
 * `vm_a1_hash` keeps only md5(`extn:domain:pin`) of the voicemail PIN, FreeSWITCH's `vm-a1-hash`.
 */
export function extensionSettings() {
  const columns: [name: string, type: 'integer' | 'text', fallback: number | string][] = [
    ['call_limit', 'integer', 1],
    ['force_insert', 'integer', 0],
    ['eavesdrop', 'integer', 0],
    ['call_authority', 'integer', 4],
    ['intercept', 'integer', 0],
    ['dtmf_type', 'integer', 0],
    ['voicemail', 'integer', 1],
    ['vm_a1_hash', 'text', ''],
    ['codec', 'text', ''],
    ['enable_ringback', 'integer', 0],
    ['ringback', 'text', ''],
    ['mac_address', 'text', ''],
    ['boss_extn', 'integer', 0],
    ['secretary_extn', 'text', ''],
    ['force_breakdown', 'integer', 0],
    ['enable_srtp', 'integer', 0],
    ['called_limit', 'integer', 1],
    ['caller_display', 'integer', 1],
    ['enable_t38', 'integer', 0],
    ['forced_breakdown', 'integer', 0],
    ['forced_insert', 'integer', 0],
    ['intercepted', 'integer', 0],
  ];
  return {
    async up(db: Kysely<any>): Promise<void> {
      for (const [name, type, fallback] of columns) {
        await db.schema.alterTable('extensions').addColumn(name, type, (c) => c.notNull().defaultTo(fallback)).execute();
      }
    },
  };
}
