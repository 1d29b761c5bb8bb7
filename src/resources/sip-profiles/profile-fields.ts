/**
 * The profile settings CherryPBX's SIP profile page shows and edits as top-level fields of the
 * profile (`sip_ip`, `icodec`…), as XSwitch answers them. Switchboard keeps them only as the
 * profile's params, so the detail derives the fields from the params and a save writes them back
 * there, in the same write as the profile's own columns.
 */
import { Type, type TOptional, type TString } from 'typebox';
import { SIP_PROFILE_PARAM_REALM } from '../../db/migrations/0004-sip-gateways.js';
import type { Row } from '../../db/schema.js';
import { storedNow } from '../../db/queries.js';
import type { WriteScope } from '../../db/write-path.js';
import { assertSettingValue, insertParam } from './owned-params.js';

/** Wire field → sofia setting name. */
const FIELD_SETTINGS = {
  sip_ip: 'sip-ip',
  sip_port: 'sip-port',
  rtp_ip: 'rtp-ip',
  ext_sip_ip: 'ext-sip-ip',
  ext_rtp_ip: 'ext-rtp-ip',
  context: 'context',
  icodec: 'inbound-codec-prefs',
  ocodec: 'outbound-codec-prefs',
} as const;

type ProfileField = keyof typeof FIELD_SETTINGS;
const PROFILE_FIELDS = Object.keys(FIELD_SETTINGS) as ProfileField[];

/**
 * The page shows the `_expanded` forms (XSwitch's values with the switch's `$${...}` variables
 * substituted). Switchboard does not ask a switch for its variables, so they repeat the stored value.
 */
const EXPANDED_FIELDS = ['sip_ip', 'sip_port', 'rtp_ip', 'icodec', 'ocodec'] as const;

const FieldValue = (setting: string) => Type.String({ maxLength: 1024, description: `the profile's \`${setting}\` setting ("" when unset)` });

export const ProfileFields = Object.fromEntries(PROFILE_FIELDS.flatMap((field) => [
  [field, FieldValue(FIELD_SETTINGS[field])],
  ...(EXPANDED_FIELDS.includes(field as never) ? [[`${field}_expanded`, FieldValue(FIELD_SETTINGS[field])]] : []),
])) as Record<string, TString>;

export const ProfileFieldEdits = Object.fromEntries(PROFILE_FIELDS.map((field) => [
  field, Type.Optional(Type.String({ maxLength: 1024, description: `sets the profile's \`${FIELD_SETTINGS[field]}\` setting; "" removes it` })),
])) as Record<ProfileField, TOptional<TString>>;

/** The enabled setting named `k` that FreeSWITCH applies: the last one, as it reads them in order. */
const effective = (params: readonly Row<'params'>[], k: string) => params.filter((param) => param.k === k && param.disabled === 0).at(-1);

export function profileFieldsOf(params: readonly Row<'params'>[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const field of PROFILE_FIELDS) {
    fields[field] = effective(params, FIELD_SETTINGS[field])?.v ?? '';
    if (EXPANDED_FIELDS.includes(field as never)) fields[`${field}_expanded`] = fields[field];
  }
  return fields;
}

/**
 * Writes the fields present in `edits` to the profile's settings, inside the caller's write: a
 * changed value edits the effective setting (or adds one), "" removes the enabled ones. Answers
 * the setting names it changed; unchanged fields (the page sends them all back) change nothing.
 */
export async function writeProfileFields(
  scope: WriteScope, profileId: number, params: readonly Row<'params'>[], edits: Partial<Record<ProfileField, string>>,
): Promise<string[]> {
  const touched: string[] = [];
  for (const field of PROFILE_FIELDS) {
    const value = edits[field];
    if (value === undefined) continue;
    assertSettingValue(value, field);
    const k = FIELD_SETTINGS[field];
    const current = effective(params, k);
    if ((current?.v ?? '') === value) continue;
    touched.push(k);
    if (value === '') {
      await scope.trx.deleteFrom('params').where('realm', '=', SIP_PROFILE_PARAM_REALM).where('ref_id', '=', profileId)
        .where('k', '=', k).where('disabled', '=', 0).execute();
    } else if (current) {
      await scope.trx.updateTable('params').set({ v: value, updated_at: storedNow() }).where('id', '=', current.id).execute();
    } else {
      await insertParam(scope, SIP_PROFILE_PARAM_REALM, profileId, { k, v: value });
    }
  }
  return touched;
}

/** Splits an update body into the profile's own columns and the fields kept as settings. */
export function splitProfileFields<B extends Partial<Record<ProfileField, string>>>(body: B) {
  const own: Record<string, unknown> = {};
  const edits: Partial<Record<ProfileField, string>> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key in FIELD_SETTINGS) edits[key as ProfileField] = value as string;
    else own[key] = value;
  }
  return { own: own as Omit<B, ProfileField>, edits };
}
