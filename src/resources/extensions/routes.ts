import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql, type Kysely } from 'kysely';
import { Type, type Static } from 'typebox';
import type { Database, Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { References } from '../../db/references.js';
import type { WriteScope } from '../../db/write-path.js';
import { HttpError, badRequest, conflict } from '../../http/errors.js';
import { crudRoutes, defaultWire, findById } from '../../http/kit/crud.js';
import {
  LIST_CAP, SheetReply, asSheet, exportDescription, exportPage, listPage, type AnyQuery, type ListRules,
} from '../../http/kit/listing.js';
import { PageOf } from '../../http/kit/envelopes.js';
import { IdParams, Message } from '../../http/kit/types.js';
import { CODEC, XML_UNREPRESENTABLE, extensionList, isDialable, isDomainName, ringbackSound } from '../../routing/dialplan-values.js';
import { SwitchUnavailableError } from '../channels/control.js';
import { SOFIA_EFFECT, type SofiaEffect } from '../sip-profiles/sofia-effects.js';
import type { ExtensionDetails } from './details.js';
import type { RegistrationSource } from './registrations.js';
import {
  ExtensionCreate, ExtensionDetail, ExtensionListQuery, ExtensionRow, ExtensionUpdate, ExtensionUpload, UserGatewayList,
} from './schema.js';

export interface ExtensionOptions {
  /** The domain of an extension that names none and whose context has none (SIP_DOMAIN). */
  defaultDomain: string;
  /** Who is registered, for `status=registered|unregistered`. */
  registrations: RegistrationSource;
}

const TAG = 'extensions';
const DEFAULT_TYPE = 'SIP';

/** FreeSWITCH's `a1-hash`: what SIP digest needs of the password, bound to the user and realm. */
export const a1Hash = (extn: string, domain: string, password: string) =>
  createHash('md5').update(`${extn}:${domain}:${password}`).digest('hex');

export const describeExtension = (extension: Row<'extensions'>) => `extension ${extension.extn}@${extension.domain} (id ${extension.id})`;

/**
 * The settings of CherryPBX's extension page stored on the row: switches (answered "0"/"1") and
 * selects (answered as numbers). The detail alone carries them, the list stays the SIP account.
 */
const SETTING_SWITCHES = [
  'call_limit', 'force_insert', 'eavesdrop', 'voicemail', 'enable_ringback', 'boss_extn',
  'force_breakdown', 'enable_srtp', 'called_limit', 'caller_display', 'enable_t38', 'forced_breakdown', 'forced_insert',
] as const;
const SETTING_SELECTS = ['call_authority', 'intercept', 'intercepted', 'dtmf_type'] as const;
const SETTING_TEXTS = ['codec', 'ringback', 'mac_address', 'secretary_extn'] as const;

/**
 * Never a hash: a1_hash is as good as the password to anyone registering in that domain, and
 * vm_a1_hash as the voicemail PIN (a 4-digit PIN falls to a brute force of its md5 at once).
 */
function toWire(row: Row<'extensions'>) {
  const shown: Record<string, unknown> = defaultWire(row);
  for (const column of ['a1_hash', 'vm_a1_hash', ...SETTING_SWITCHES, ...SETTING_SELECTS, ...SETTING_TEXTS]) delete shown[column];
  return shown as Omit<ReturnType<typeof defaultWire<Row<'extensions'>>>, SettingColumn | 'a1_hash' | 'vm_a1_hash'>;
}
type SettingColumn = (typeof SETTING_SWITCHES)[number] | (typeof SETTING_SELECTS)[number] | (typeof SETTING_TEXTS)[number];

/** The settings as CherryPBX's page compares them (see SettingsShown in schema.ts). */
function settingsWire(row: Row<'extensions'>) {
  return {
    ...(Object.fromEntries(SETTING_SWITCHES.map((column) => [column, String(row[column])])) as Record<(typeof SETTING_SWITCHES)[number], string>),
    ...(Object.fromEntries(SETTING_SELECTS.map((column) => [column, row[column]])) as Record<(typeof SETTING_SELECTS)[number], number>),
    ...(Object.fromEntries(SETTING_TEXTS.map((column) => [column, row[column]])) as Record<(typeof SETTING_TEXTS)[number], string>),
    vm_pin_set: row.vm_a1_hash === '' ? 0 : 1,
  };
}

const MAC_ADDRESS = /^[0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5}$/;
const VOICEMAIL_PIN = /^[0-9]{4,16}$/;

type SettingTexts = Pick<Input, 'codec' | 'ringback' | 'mac_address' | 'secretary_extn' | 'vm_password'>;

/**
 * The columns of the page's text settings in an update, checked (a 400 naming the field). The
 * voicemail PIN is kept as mod_voicemail's vm-a1-hash, bound to the number and domain like the
 * SIP password's hash: "" keeps it, null clears it, and a move needs it again.
 */
async function settingColumns(scope: WriteScope, input: SettingTexts, existing: Row<'extensions'>, extn: string, domain: string, moved: boolean) {
  const columns: Partial<Pick<Row<'extensions'>, 'codec' | 'ringback' | 'mac_address' | 'secretary_extn' | 'vm_a1_hash'>> = {};
  if (input.codec !== undefined) {
    const codecs = (Array.isArray(input.codec) ? input.codec : [input.codec]).flatMap((item) => item.split(',')).map((codec) => codec.trim()).filter((codec) => codec !== '');
    const bad = codecs.find((codec) => !CODEC.test(codec));
    if (bad !== undefined) throw badRequest('codec', `"${bad}" is not a codec name (like PCMA, OPUS or opus@48000h@20i)`);
    columns.codec = codecs.join(',');
  }
  if (input.ringback !== undefined) {
    const ringback = input.ringback ?? '';
    const sound = ringbackSound(ringback);
    if ('problem' in sound) throw badRequest('ringback', sound.problem);
    columns.ringback = ringback;
  }
  if (input.mac_address !== undefined) {
    if (input.mac_address !== '' && !MAC_ADDRESS.test(input.mac_address)) throw badRequest('mac_address', 'must be 12 hex digits, optionally in pairs separated by : or -');
    columns.mac_address = input.mac_address;
  }
  if (input.secretary_extn !== undefined) {
    if (input.secretary_extn !== '' && !(await scope.lock('users', 'login', input.secretary_extn, 'share'))) {
      throw badRequest('secretary_extn', `no user with login "${input.secretary_extn}" (see /api/users)`);
    }
    columns.secretary_extn = input.secretary_extn;
  }
  if (input.vm_password === null) {
    columns.vm_a1_hash = '';
  } else if (input.vm_password !== undefined && input.vm_password !== '') {
    if (!VOICEMAIL_PIN.test(input.vm_password)) throw badRequest('vm_password', 'must be 4 to 16 digits (the PIN is typed on a keypad)');
    columns.vm_a1_hash = a1Hash(extn, domain, input.vm_password);
  } else if (moved && existing.vm_a1_hash !== '') {
    throw badRequest('vm_password', 'is required when extn or domain changes (only a hash of the PIN with both is kept), or null to clear it');
  }
  return columns;
}

const listing: ListRules<'extensions'> = {
  sortable: ['id', 'extn', 'name', 'domain', 'context', 'created_at'],
  searchable: ['extn', 'name', 'cid_name', 'cid_number'],
  defaultSort: 'id',
  filters: {
    extn: { column: 'extn', match: 'contains' },
    name: { column: 'name', match: 'contains' },
    domain: { column: 'domain', match: 'exact' },
    context: { column: 'context', match: 'exact' },
  },
};

/** The download's columns, in order: every field of a row but the secret. */
const EXPORT_COLUMNS = [
  'id', 'extn', 'domain', 'name', 'context', 'cid_name', 'cid_number', 'type', 'auto_record', 'disabled', 'user_id',
] as const satisfies readonly (keyof Row<'extensions'>)[];

type Input = Static<typeof ExtensionUpdate>;

/** Destinations that name extensions in `dest_uuid`, as `[{"extn":"1001|domain"}]`. */
const EXTENSION_LIST_TYPES = ['FS_DEST_RING_EXTNS', 'FS_DEST_SEQ_EXTNS'];

/** The first route or time segment ringing `extension` by its number (a domain-less item names it in every domain). */
async function ringingReferrer(db: Kysely<Database>, extension: Row<'extensions'>): Promise<string | undefined> {
  const names = (destUuid: string) => {
    const listed = extensionList(destUuid);
    return typeof listed !== 'string' && listed.some(({ extn, domain }) => extn === extension.extn && (domain === '' || domain === extension.domain));
  };
  // extn is digits: no LIKE wildcard in it; the LIKE only narrows, `names` decides.
  const routes = await db.selectFrom('routes').select(['id', 'name', 'dest_uuid'])
    .where('dest_type', 'in', EXTENSION_LIST_TYPES).where('dest_uuid', 'like', `%${extension.extn}%`).orderBy('id').execute();
  const route = routes.find((row) => names(row.dest_uuid));
  if (route) return `route "${route.name}" (id ${route.id})`;
  const segments = await db.selectFrom('time_recurrences').select(['id', 'route_id', 'dest_uuid'])
    .where('dest_type', 'in', EXTENSION_LIST_TYPES).where('dest_uuid', 'like', `%${extension.extn}%`).orderBy('id').execute();
  const segment = segments.find((row) => names(row.dest_uuid));
  return segment ? `time segment ${segment.id} of route ${segment.route_id}` : undefined;
}

/** The context an extension names, held until commit so that it cannot be deleted under it. */
async function heldContext(scope: WriteScope, key: string): Promise<Row<'contexts'>> {
  const context = await scope.lock('contexts', 'key', key, 'share');
  if (!context) throw badRequest('context', `no context "${key}" (see /api/contexts)`);
  return context;
}

/** Checks the fields of `input` that are set, against other rows where they refer to some. */
async function assertFields(scope: WriteScope, input: Input): Promise<void> {
  for (const field of ['name', 'cid_name'] as const) {
    if (XML_UNREPRESENTABLE.test(input[field] ?? '')) throw badRequest(field, 'has control characters');
  }
  if (input.cid_number !== undefined && !isDialable(input.cid_number)) {
    throw badRequest('cid_number', 'must be a number (digits, + * # and letters . _ -)');
  }
  if (input.user_id !== undefined && input.user_id !== null && !(await scope.lock('users', 'id', input.user_id, 'share'))) {
    throw badRequest('user_id', `no user with id ${input.user_id}`);
  }
  if (input.type !== undefined) {
    const known = await scope.trx.selectFrom('dicts').select('k').where('realm', '=', 'EXTENSION_TYPE').orderBy('o').orderBy('id').execute();
    if (!known.some(({ k }) => k === input.type)) throw badRequest('type', `must be one of ${known.map(({ k }) => k).join(', ')} (dicts EXTENSION_TYPE)`);
  }
}

async function assertExtnFree(scope: WriteScope, extn: string, domain: string, except?: number): Promise<void> {
  const taken = await scope.trx.selectFrom('extensions').select('id').where('extn', '=', extn).where('domain', '=', domain).executeTakeFirst();
  if (taken && taken.id !== except) throw conflict('extn', `extension ${extn} already exists in domain ${domain}`);
}

/** The columns of a new extension; the domain defaults to its context's, then to `defaultDomain`. */
async function newExtension(scope: WriteScope, input: Static<typeof ExtensionCreate>, defaultDomain: string) {
  await assertFields(scope, input);
  const context = await heldContext(scope, input.context);
  const domain = input.domain ?? (isDomainName(context.domain) ? context.domain : defaultDomain);
  await assertExtnFree(scope, input.extn, domain);
  return {
    extn: input.extn,
    domain,
    name: input.name ?? '',
    context: context.key,
    a1_hash: a1Hash(input.extn, domain, input.password),
    cid_name: input.cid_name ?? '',
    cid_number: input.cid_number ?? '',
    type: input.type ?? DEFAULT_TYPE,
    auto_record: input.auto_record ?? 0,
    disabled: input.disabled ?? 0,
    user_id: input.user_id ?? null,
  };
}

/** Creates an extension inside `scope`'s transaction (the upload, and users created with one). */
export async function createExtension(scope: WriteScope, input: Static<typeof ExtensionCreate>, defaultDomain: string): Promise<Row<'extensions'>> {
  const values = await newExtension(scope, input, defaultDomain);
  const now = storedNow();
  const row = await scope.trx.insertInto('extensions').values({ ...values, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  scope.changed(EXTENSIONS_TOPIC, [row.id]);
  return row;
}

/**
 * The registrations of an extension that no longer answers to them (disabled, deleted, or moved to
 * another number or domain) are dropped on every profile, so that no call reaches the phone and it
 * is listed as unregistered at once; its next REGISTER is refused by the directory.
 */
async function dropRegistrations(scope: WriteScope, extension: Row<'extensions'>): Promise<void> {
  const profiles = await scope.trx.selectFrom('sip_profiles').select('name').where('disabled', '=', 0).orderBy('id').execute();
  const user = `${extension.extn}@${extension.domain}`;
  const effect: SofiaEffect = {
    kind: SOFIA_EFFECT,
    key: `sofia:registrations:${user}`,
    commands: profiles.map(({ name }) => ['profile', name, 'flush_inbound_reg', user]),
  };
  scope.effect(effect);
}

/** Changes of extensions are published here: the DIDs and DODs the routing engine holds name them. */
export const EXTENSIONS_TOPIC = 'extensions';

const extensionCrud = (options: ExtensionOptions, references: References, details: ExtensionDetails) => crudRoutes({
  table: 'extensions',
  path: '/api/extensions',
  tag: TAG,
  listRow: ExtensionRow,
  detailRow: ExtensionDetail,
  createBody: ExtensionCreate,
  updateBody: ExtensionUpdate,
  // The list has its own filters (status) and the detail carries DIDs and DODs: both below.
  operations: ['create', 'update', 'delete'],
  listing,
  toWire,
  describe: describeExtension,
  topic: EXTENSIONS_TOPIC,
  beforeCreate: (input, scope) => newExtension(scope, input, options.defaultDomain),
  async beforeUpdate(input, existing, scope) {
    if (input.action === 'toggle') {
      // The row is locked for update: flipping what was read is exact.
      if (existing.disabled === 0) await dropRegistrations(scope, existing);
      return { disabled: 1 - existing.disabled };
    }
    const { password, action: _toggle, call_transfer_type, connect_phone, timeout, codec, ringback, mac_address, secretary_extn, vm_password, ...fields } = input;
    await details.update(scope, existing, { call_transfer_type, connect_phone, timeout });
    await assertFields(scope, fields);
    if (fields.context !== undefined && fields.context !== existing.context) await heldContext(scope, fields.context);
    const extn = fields.extn ?? existing.extn;
    const domain = fields.domain ?? existing.domain;
    const moved = extn !== existing.extn || domain !== existing.domain;
    if (existing.disabled === 0 && (moved || fields.disabled === 1)) await dropRegistrations(scope, existing);
    if (moved) {
      await assertExtnFree(scope, extn, domain, existing.id);
      // Routes ring it by number and domain.
      const referrer = await references.referrerOf(scope, 'extensions', existing);
      if (referrer) throw conflict('extn', `${describeExtension(existing)} is used by ${referrer}; its number and domain cannot change`);
    }
    const settings = await settingColumns(scope, { codec, ringback, mac_address, secretary_extn, vm_password }, existing, extn, domain, moved);
    if (password === undefined || password === '') {
      if (moved) throw badRequest('password', 'is required when extn or domain changes (only a hash of the password with both is kept)');
      return { ...fields, ...settings };
    }
    return { ...fields, ...settings, a1_hash: a1Hash(extn, domain, password) };
  },
  async beforeDelete(existing, scope) {
    if (existing.disabled === 0) await dropRegistrations(scope, existing);
  },
});

export async function extensionRoutes(parent: FastifyInstance, options: ExtensionOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>();
  const tags = [TAG];
  const db = app.db.kysely;

  app.references.add('extensions', ({ trx }, extension) => ringingReferrer(trx, extension));
  app.references.add('contexts', async ({ trx }, context) => {
    const extension = await trx.selectFrom('extensions').selectAll().where('context', '=', context.key).orderBy('id').executeTakeFirst();
    return extension ? describeExtension(extension) : undefined;
  });

  /** The rows a `status` asks for: enabled or disabled from the rows, registered or not from the switches. */
  async function statusNarrowing(status: string | undefined): Promise<(qb: AnyQuery) => AnyQuery> {
    if (status === 'disabled' || status === '1') return (qb) => qb.where('disabled', '=', 1);
    if (status === 'enabled' || status === '0') return (qb) => qb.where('disabled', '=', 0);
    // CherryPBX's list filter and export say online and offline (and all, the export's "no filter").
    const registered = status === 'registered' || status === 'online';
    if (!registered && status !== 'unregistered' && status !== 'offline') return (qb) => qb;
    const report = await options.registrations.registeredUsers();
    if (report.answered === 0) throw new SwitchUnavailableError(undefined, 'none answered, so who is registered is unknown (status)');
    const users = [...report.users];
    const address = sql<string>`${sql.ref('extn')} || '@' || ${sql.ref('domain')}`;
    if (registered) return (qb) => (users.length === 0 ? qb.where(sql<boolean>`1 = 0`) : qb.where(address, 'in', users));
    return (qb) => (users.length === 0 ? qb : qb.where(address, 'not in', users));
  }

  app.get('/api/extensions', {
    schema: {
      tags,
      summary: 'List extensions (status: registered or unregistered on the switches, enabled or disabled); never their passwords',
      querystring: ExtensionListQuery,
      response: { 200: PageOf(ExtensionRow), 503: Message },
    },
  }, async (request) => {
    const page = await listPage(db, app.db.dialect, 'extensions', request.query, listing, await statusNarrowing(request.query.status));
    return { ...page, data: page.data.map(toWire) };
  });

  app.get('/api/extensions/gateway', {
    schema: { tags, summary: 'Extensions a user gateway (FS_DEST_USERGW) may name: every enabled one', response: { 200: UserGatewayList } },
  }, async () => ({
    data: await db.selectFrom('extensions').select(['id', 'extn', 'domain']).where('disabled', '=', 0).orderBy('extn').orderBy('id').limit(LIST_CAP).execute(),
  }));

  app.get('/api/extensions/download', {
    schema: {
      tags,
      summary: 'Export extensions as rows of cells: a header row of field names, then one row per extension by id (never a password or its hash)',
      description: exportDescription('extensions'),
      querystring: ExtensionListQuery,
      response: { 200: SheetReply, 503: Message },
    },
  }, async (request) => {
    const page = await exportPage(db, app.db.dialect, 'extensions', request.query, listing, await statusNarrowing(request.query.status));
    return asSheet(EXPORT_COLUMNS, page.data);
  });

  app.post('/api/extensions/upload', {
    schema: {
      tags,
      summary: 'Create extensions, all or none: {"extensions":[rows as for a create]}',
      description: 'A refused row answers 4xx naming it, `extensions.<index>.<field>: <problem>`, and nothing is created. The answer lists the created extensions.',
      body: ExtensionUpload,
      response: { 200: Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(ExtensionRow) }) },
    },
  }, async (request) => {
    const rows = await app.writes.run(async (scope) => {
      const created: Row<'extensions'>[] = [];
      for (const [index, input] of request.body.extensions.entries()) {
        created.push(await createExtension(scope, input, options.defaultDomain).catch((error: unknown) => {
          throw error instanceof HttpError ? new HttpError(error.statusCode, `extensions.${index}.${error.message}`, error.data) : error;
        }));
      }
      return created;
    });
    return { code: 200, message: 'success', data: rows.map(toWire) };
  });

  app.get('/api/extensions/:id', {
    schema: { tags, summary: 'One extension with its DIDs and DODs (never its password)', params: IdParams, response: { 200: ExtensionDetail, 404: Message } },
  }, async (request) => {
    const extension = await findById(db, 'extensions', request.params.id);
    return { ...toWire(extension), ...settingsWire(extension), ...(await app.extensionDetails.of(db, extension)) };
  });

  await app.register(extensionCrud(options, app.references, app.extensionDetails));
}
