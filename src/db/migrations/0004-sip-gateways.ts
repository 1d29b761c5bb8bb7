import type { Kysely } from 'kysely';
import type { DialectName } from '../connect.js';
import { emptyText, withId } from './columns.js';

/** Realms of the shared params table (research/xui-semantics.md §10.1) for profiles and gateways. */
export const SIP_PROFILE_PARAM_REALM = 'SIP_PROFILE';
export const GATEWAY_PARAM_REALM = 'GATEWAY';
/** sofia.conf's `<global_settings>`, ref_id 0, as XUI. */
export const SOFIA_GLOBALS_REALM = 'SOFIAGLOBALS';
/** `ref_id` of the default gateway parameter template (`"template": "default"`). */
export const TEMPLATE_REF_ID = 0;

/**
 * The two profiles of a fresh install, as the shipped FreeSWITCH configuration (freeswitch/) runs
 * them: extensions register on `internal` (calls routed in context-1), trunks and IP peers call
 * `public` (context-2), the profile FS_DEST_IP calls leave through. The `$${...}` variables are
 * set in freeswitch/vars.xml and expanded by FreeSWITCH.
 */
const common: [string, string][] = [
  ['dialplan', 'XML'],
  ['sip-ip', '$${sip_ip}'],
  ['rtp-ip', '$${sip_ip}'],
  // Without a timer, played media only advances while the far end sends audio.
  ['rtp-timer-name', 'soft'],
  ['inbound-codec-prefs', 'PCMU,PCMA'],
  ['outbound-codec-prefs', 'PCMU,PCMA'],
  ['manage-presence', 'false'],
];
export const profileSeeds: { name: string; description: string; params: [string, string][] }[] = [
  {
    name: 'internal',
    description: 'Extensions register and call here (context-1)',
    params: [['context', 'context-1'], ...common.slice(0, 3), ['sip-port', '$${internal_sip_port}'], ...common.slice(3), ['auth-calls', 'true']],
  },
  {
    name: 'public',
    description: 'Trunks and IP peers call here, unauthenticated (context-2)',
    params: [
      ['context', 'context-2'], ...common.slice(0, 3), ['sip-port', '$${public_sip_port}'], ...common.slice(3),
      ['auth-calls', 'false'], ['accept-blind-reg', 'false'],
    ],
  },
];

/**
 * The default gateway template (realm GATEWAY, ref_id 0), copied onto a gateway created with
 * `"template": "default"`: the usual settings of a carrier trunk, disabled until the operator
 * enables what the carrier needs, as XUI's.
 */
export const gatewayTemplateSeeds: [string, string][] = [
  ['from-user', ''],
  ['from-domain', ''],
  ['extension', ''],
  ['proxy', ''],
  ['register-proxy', ''],
  ['outbound-proxy', ''],
  ['auth-username', ''],
  ['expire-seconds', '600'],
  ['retry-seconds', '30'],
  ['908-retry-seconds', '90'],
  ['ping', '25'],
  ['caller-id-in-from', 'false'],
  ['extension-in-contact', 'false'],
  ['register-transport', 'udp'],
  ['context', 'context-2'],
];

export function sipGateways(dialect: DialectName) {
  return {
    async up(db: Kysely<any>): Promise<void> {
      const now = new Date().toISOString();
      await withId(db.schema.createTable('sip_profiles'), dialect)
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();

      await withId(db.schema.createTable('gateways'), dialect)
        .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('realm', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('username', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('password', 'varchar(255)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('register', 'varchar(8)', (c) => c.notNull().defaultTo('no'))
        .addColumn('profile_id', 'integer', (c) => c.notNull().references('sip_profiles.id'))
        .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gateways_profile').on('gateways').column('profile_id').execute();

      await withId(db.schema.createTable('gateway_variables'), dialect)
        .addColumn('gateway_id', 'integer', (c) => c.notNull().references('gateways.id').onDelete('cascade'))
        .addColumn('k', 'varchar(255)', (c) => c.notNull())
        .addColumn('v', 'varchar(1024)', (c) => c.notNull().defaultTo(emptyText))
        .addColumn('direction', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('gateway_variables_gateway').on('gateway_variables').column('gateway_id').execute();

      for (const profile of profileSeeds) {
        const { id } = await db.insertInto('sip_profiles')
          .values({ name: profile.name, description: profile.description, disabled: 0, created_at: now, updated_at: now })
          .returning('id').executeTakeFirstOrThrow();
        await db.insertInto('params').values(profile.params.map(([k, v], index) => ({
          realm: SIP_PROFILE_PARAM_REALM, ref_id: id, k, v, o: index + 1, disabled: 0, created_at: now, updated_at: now,
        }))).execute();
      }
      await db.insertInto('params').values({
        realm: SOFIA_GLOBALS_REALM, ref_id: TEMPLATE_REF_ID, k: 'log-level', v: '0', o: 1, disabled: 0, created_at: now, updated_at: now,
      }).execute();
      await db.insertInto('params').values(gatewayTemplateSeeds.map(([k, v], index) => ({
        realm: GATEWAY_PARAM_REALM, ref_id: TEMPLATE_REF_ID, k, v, o: index + 1, disabled: 1, created_at: now, updated_at: now,
      }))).execute();
    },
  };
}
