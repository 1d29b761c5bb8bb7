/**
 * Do-not-disturb and call forwarding: what an extension's owner sets by dialling function codes
 * (src/freeswitch/xml-curl.ts writes it while the switch fetches the code's dialplan) and what a
 * call to that extension honours (src/freeswitch/xml/user-features.ts).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { storedNow } from '../../db/queries.js';
import type { Database, Row } from '../../db/schema.js';
import type { WritePath, WriteScope } from '../../db/write-path.js';
import { badRequest } from '../../http/errors.js';

export const EXTENSION_FEATURES_TOPIC = 'extension_features';

export interface ExtensionFeatures {
  dnd: boolean;
  /** Numbers routed in the extension's context; '' for no forward. */
  forwardAlways: string;
  forwardBusy: string;
  forwardNoanswer: string;
  /** Seconds a call rings the extension before it counts as not answered; 0: FreeSWITCH's default (60). */
  ringTimeout: number;
}

export const NO_FEATURES: ExtensionFeatures = { dnd: false, forwardAlways: '', forwardBusy: '', forwardNoanswer: '', ringTimeout: 0 };

/** What each function code type sets, given the digits dialled after the code. */
const FEATURE_CHANGES: Partial<Record<string, (target: string) => Partial<ExtensionFeatures>>> = {
  FS_DEST_FUNC_CALL_DND: () => ({ dnd: true }),
  FS_DEST_FUNC_CALL_DND_CANCEL: () => ({ dnd: false }),
  FS_DEST_FUNC_CALL_FORWARDING: (target) => ({ forwardAlways: target }),
  FS_DEST_FUNC_CALL_FORWARDING_CANCEL: () => ({ forwardAlways: '' }),
  FS_DEST_FUNC_CALL_FORWARD_BUSY: (target) => ({ forwardBusy: target }),
  FS_DEST_FUNC_CALL_FORWARD_BUSY_CANCEL: () => ({ forwardBusy: '' }),
  FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE: (target) => ({ forwardNoanswer: target }),
  FS_DEST_FUNC_CALL_FORWARD_WITHOUT_RESPONSE_CANCEL: () => ({ forwardNoanswer: '' }),
};

/** The function code types that set an extension's features. */
export const FEATURE_FUNCTION_CODE_TYPES: readonly string[] = Object.keys(FEATURE_CHANGES);

/** What dialling a code of `type` (with `target` after it) sets, or null for a type that sets none. */
export function featureChangeOf(type: string, target: string): Partial<ExtensionFeatures> | null {
  return FEATURE_CHANGES[type]?.(target) ?? null;
}

type FeatureRow = Pick<Row<'extension_features'>, 'dnd' | 'forward_always' | 'forward_busy' | 'forward_noanswer' | 'ring_timeout'>;

const fromRow = (row: FeatureRow | undefined): ExtensionFeatures => row
  ? { dnd: row.dnd === 1, forwardAlways: row.forward_always, forwardBusy: row.forward_busy, forwardNoanswer: row.forward_noanswer, ringTimeout: row.ring_timeout }
  : NO_FEATURES;

export async function featuresOf(db: Kysely<Database>, extensionId: number): Promise<ExtensionFeatures> {
  return fromRow(await db.selectFrom('extension_features').select(['dnd', 'forward_always', 'forward_busy', 'forward_noanswer', 'ring_timeout'])
    .where('extension_id', '=', extensionId).executeTakeFirst());
}

/** The enabled extension `extn` in `domain`. */
export function enabledExtension(db: Kysely<Database>, extn: string, domain: string): Promise<Row<'extensions'> | undefined> {
  return db.selectFrom('extensions').selectAll().where('extn', '=', extn).where('domain', '=', domain).where('disabled', '=', 0).executeTakeFirst();
}

/**
 * The called extension with its features, for a call's dialplan (one query per call): `extn` in
 * `domain`; without a domain (a call from outside, which FreeSWITCH dials in its default domain),
 * the one enabled extension with that number, if only one has it.
 */
export async function calledExtension(db: Kysely<Database>, extn: string, domain: string | undefined) {
  let query = db.selectFrom('extensions')
    .leftJoin('extension_features', 'extension_features.extension_id', 'extensions.id')
    .select(['extensions.extn', 'extensions.domain', 'extensions.context', 'extensions.enable_ringback', 'extensions.ringback', 'extension_features.dnd', 'extension_features.forward_always', 'extension_features.forward_busy', 'extension_features.forward_noanswer', 'extension_features.ring_timeout'])
    .where('extensions.extn', '=', extn).where('extensions.disabled', '=', 0);
  if (domain) query = query.where('extensions.domain', '=', domain);
  const rows = await query.limit(2).execute();
  if (rows.length !== 1) return undefined;
  const [row] = rows as [(typeof rows)[number]];
  return {
    extn: row.extn, domain: row.domain, context: row.context,
    /** The ringback JSON its callers hear (CherryPBX's extension page), '' for the route's or the switch's. */
    ringbackTone: row.enable_ringback === 1 ? row.ringback : '',
    features: row.dnd === null ? NO_FEATURES : fromRow(row as FeatureRow),
  };
}

/** Applies `change` to the extension's features; false when the extension is gone. */
export async function changeFeatures(writes: WritePath, extensionId: number, change: Partial<ExtensionFeatures>): Promise<boolean> {
  return writes.run(async (scope) => {
    if (!(await scope.lock('extensions', 'id', extensionId, 'share'))) return false;
    await writeFeatures(scope, extensionId, change);
    return true;
  });
}

/** Applies `change` to the features of an extension that `scope` holds. */
async function writeFeatures(scope: WriteScope, extensionId: number, change: Partial<ExtensionFeatures>, current?: ExtensionFeatures): Promise<void> {
  const next = { ...(current ?? await featuresOf(scope.trx, extensionId)), ...change };
  const values = {
    dnd: next.dnd ? 1 : 0,
    forward_always: next.forwardAlways,
    forward_busy: next.forwardBusy,
    forward_noanswer: next.forwardNoanswer,
    ring_timeout: next.ringTimeout,
    updated_at: storedNow(),
  };
  await scope.trx.insertInto('extension_features').values({ extension_id: extensionId, ...values })
    .onConflict((conflict) => conflict.column('extension_id').doUpdateSet(values)).execute();
  scope.changed(EXTENSION_FEATURES_TOPIC, [extensionId]);
}

/**
 * CherryPBX's extension page shows one forward as `call_transfer_type` and `connect_phone`
 * (the unconditional one first, as a call honours it first) and sets one the same way.
 */
const TRANSFER_TYPES = { '4': 'forwardAlways', '2': 'forwardNoanswer', '3': 'forwardBusy' } as const;
type TransferType = keyof typeof TRANSFER_TYPES;
const FORWARD_NUMBER = /^[0-9]{1,64}$/;

function callTransferOf(features: ExtensionFeatures): { call_transfer_type: string; connect_phone: string } {
  const shown = (Object.entries(TRANSFER_TYPES) as [TransferType, (typeof TRANSFER_TYPES)[TransferType]][]).find(([, key]) => features[key] !== '');
  return shown ? { call_transfer_type: shown[0], connect_phone: features[shown[1]] } : { call_transfer_type: '0', connect_phone: '' };
}

/** The page's ring timeout: seconds as text, "" for FreeSWITCH's default. */
const RING_TIMEOUT = /^(?:[1-9][0-9]{0,2})?$/;
const MAX_RING_TIMEOUT = 600;

/** The ring timeout the page sends: seconds as text, "" for the default (0); undefined when not sent. */
function ringTimeoutOf(input: Readonly<Record<string, unknown>>): number | undefined {
  const timeout = input.timeout as string | undefined;
  if (timeout === undefined) return undefined;
  const text = timeout.trim();
  if (!RING_TIMEOUT.test(text) || Number(text) > MAX_RING_TIMEOUT) throw badRequest('timeout', `must be the seconds a call rings (1 to ${MAX_RING_TIMEOUT}), or "" for the default`);
  return text === '' ? 0 : Number(text);
}

/** The forwards the page's call_transfer_type and connect_phone ask for; undefined when they change nothing. */
function forwardsOf(extension: Row<'extensions'>, input: Readonly<Record<string, unknown>>, features: ExtensionFeatures): Partial<ExtensionFeatures> | undefined {
  const type = input.call_transfer_type as string | undefined;
  const phone = input.connect_phone as string | undefined;
  if (type === undefined && phone === undefined) return undefined;
  const shown = callTransferOf(features);
  const nextType = type ?? shown.call_transfer_type;
  const number = (phone ?? shown.connect_phone).trim();
  // The page sends the forward it shows with every save of its section: unchanged, it keeps the
  // other forwards the owner set from the phone, which the page cannot show.
  if (nextType === shown.call_transfer_type && number === shown.connect_phone) return undefined;
  const none = { forwardAlways: '', forwardBusy: '', forwardNoanswer: '' };
  if (nextType === '0') return none;
  if (!(nextType in TRANSFER_TYPES)) throw badRequest('call_transfer_type', 'ringing other numbers alongside the extension (1) is not supported; 0, 2, 3 or 4');
  if (!FORWARD_NUMBER.test(number)) throw badRequest('connect_phone', 'must be the number to forward to (digits)');
  // A phone forwarded to itself would send its calls round the dialplan for ever.
  if (number === extension.extn) throw badRequest('connect_phone', `would forward extension ${extension.extn} to itself`);
  return { ...none, [TRANSFER_TYPES[nextType as TransferType]]: number };
}

/** The page's forward and ring timeout, read and written together. */
async function setPageFeatures(scope: WriteScope, extension: Row<'extensions'>, input: Readonly<Record<string, unknown>>): Promise<void> {
  const seconds = ringTimeoutOf(input);
  if (seconds === undefined && input.call_transfer_type === undefined && input.connect_phone === undefined) return;
  const features = await featuresOf(scope.trx, extension.id);
  const change = { ...forwardsOf(extension, input, features), ...(seconds === undefined || seconds === features.ringTimeout ? {} : { ringTimeout: seconds }) };
  if (Object.keys(change).length > 0) await writeFeatures(scope, extension.id, change, features);
}

/** Each extension's features in its detail (`GET /api/extensions/:id`). */
async function extensionFeatureDetails(app: FastifyInstance): Promise<void> {
  app.extensionDetails.contributeFields(async (db, extension) => {
    const features = await featuresOf(db, extension.id);
    return {
      dnd: features.dnd ? 1 : 0, forward_always: features.forwardAlways, forward_busy: features.forwardBusy, forward_noanswer: features.forwardNoanswer,
      ...callTransferOf(features),
      timeout: features.ringTimeout === 0 ? '' : String(features.ringTimeout),
    };
  });
  app.extensionDetails.acceptUpdates(setPageFeatures);
}

export const extensionFeaturesPlugin = fp(extensionFeatureDetails, { name: 'extension-features' });
