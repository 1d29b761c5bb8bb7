import { Type } from 'typebox';
import { Flag, Id, Int, Text, TimestampFields } from '../../http/kit/types.js';
import { LIST_CAP, ListQuery } from '../../http/kit/listing.js';

/** What SIP digest needs and FreeSWITCH's directory looks up: an extension number is digits only. */
const Extn = Type.String({ pattern: '^[0-9]{1,32}$', description: 'extension number, digits only, unique per domain' });
const Domain = Type.String({
  pattern: '^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$', maxLength: 255,
  description: 'SIP domain (the digest realm phones register to); by default the context\'s domain, else SIP_DOMAIN',
});
const Password = Type.String({ minLength: 1, maxLength: 128, description: 'SIP password; only FreeSWITCH\'s a1-hash of it is kept' });
const ContextKey = Type.String({ minLength: 1, maxLength: 64, description: 'key of an existing context: the routing context of the extension\'s calls' });

/** The fields create and update both take as optional. */
const optionalFields = {
  name: Type.Optional(Text(128, 'display name')),
  user_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'id of the user (person) owning the extension, or null' })),
  cid_name: Type.Optional(Text(128, 'caller id name of its calls; "" the name; "PASS" leaves the caller id as the phone sent it')),
  cid_number: Type.Optional(Type.String({ maxLength: 64, description: 'caller id number of its calls; "" the extension number' })),
  type: Type.Optional(Type.String({ maxLength: 32, description: 'one of dicts EXTENSION_TYPE (SIP, WebRTC, SIP+WebRTC); SIP by default' })),
  auto_record: Type.Optional(Flag),
  disabled: Type.Optional(Flag),
  domain: Type.Optional(Domain),
};

export const ExtensionCreate = Type.Object({ extn: Extn, password: Password, context: ContextKey, ...optionalFields });

/**
 * CherryPBX's extension page sets one call forward as a type and a number: the forwards the
 * owner also sets from the phone with function codes (src/resources/extension-features).
 */
const CallTransfer = {
  call_transfer_type: Type.Optional(Type.Union(['0', '1', '2', '3', '4'].map((value) => Type.Literal(value)), {
    description: '0 no forward (clears all three), 2 forward_noanswer, 3 forward_busy, 4 forward_always (each clears the other two); 1 (ring other numbers alongside) is not supported',
  })),
  connect_phone: Type.Optional(Type.String({ maxLength: 64, description: 'the number calls are forwarded to (digits); required unless call_transfer_type is 0' })),
  timeout: Type.Optional(Type.String({ maxLength: 8, description: 'seconds a call rings the extension (1 to 600) before it counts as not answered; "" for FreeSWITCH\'s default (60)' })),
};

const Enum = (maximum: number, description: string) => Type.Optional(Int({ minimum: 0, maximum, description }));

/**
 * The settings of CherryPBX's extension page (its 主叫业务 and 被叫业务 sections), stored on the
 * extension. Switches take 0/1 (the page sends "0"/"1"), selects their option's number (sent as
 * a string). The README's extension section says what FreeSWITCH makes of each.
 */
const Settings = {
  call_limit: Type.Optional(Flag),
  force_insert: Type.Optional(Flag),
  eavesdrop: Type.Optional(Flag),
  voicemail: Type.Optional(Flag),
  enable_ringback: Type.Optional(Flag),
  boss_extn: Type.Optional(Flag),
  force_breakdown: Type.Optional(Flag),
  enable_srtp: Type.Optional(Flag),
  called_limit: Type.Optional(Flag),
  caller_display: Type.Optional(Flag),
  enable_t38: Type.Optional(Flag),
  forced_breakdown: Type.Optional(Flag),
  forced_insert: Type.Optional(Flag),
  intercepted: Enum(2, '0 none, 1 group, 2 global: who may intercept calls to this extension (stored only)'),
  call_authority: Enum(4, '0 emergency calls, 1 internal, 2 local, 3 domestic, 4 international (stored only)'),
  intercept: Enum(2, '0 none, 1 group, 2 global intercept permission (stored only)'),
  dtmf_type: Enum(3, '0 unspecified (the profile\'s), 1 SIP INFO, 2 inband, 3 RFC 2833: the directory\'s dtmf_type variable'),
  codec: Type.Optional(Type.Union([
    Type.Array(Type.String({ maxLength: 32 }), { maxItems: 16 }),
    Type.String({ maxLength: 512 }),
  ], { description: 'codec names (PCMA, PCMU, G722, OPUS, G729, VP8, H264, H265, …), an array or comma-separated; [] or "" for the profile\'s: the directory\'s absolute_codec_string' })),
  ringback: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()], {
    description: '"" or null for none, or CherryPBX\'s JSON {"media_path":"tone_stream://…"|"/path/file.wav",…} (stored only)',
  })),
  mac_address: Type.Optional(Type.String({ maxLength: 17, description: 'the phone\'s MAC address (12 hex digits, optionally separated by : or -), "" for none (stored only)' })),
  secretary_extn: Type.Optional(Type.String({ maxLength: 128, description: 'login of the boss\'s secretary (an existing user), "" for none (stored only)' })),
  // One schema of two types, not a union: Ajv's coercion would turn a union's null into "" (or "" into null).
  vm_password: Type.Optional(Type.Unsafe<string | null>({
    type: ['string', 'null'],
    maxLength: 32,
    description: 'voicemail PIN, 4 to 16 digits; absent or "" keeps it, null clears it; only FreeSWITCH\'s vm-a1-hash of it is kept, never answered',
  })),
};

export const ExtensionUpdate = Type.Object({
  extn: Type.Optional(Extn),
  password: Type.Optional(Type.String({
    maxLength: 128,
    description: 'absent or "" keeps it; required when extn or domain changes, since only a hash of the password with both is kept',
  })),
  context: Type.Optional(ContextKey),
  ...optionalFields,
  action: Type.Optional(Type.Literal('toggle', { description: 'flips disabled; the other fields are ignored' })),
  ...CallTransfer,
  ...Settings,
});

export const ExtensionRow = Type.Object({
  id: Type.Integer(),
  extn: Type.String(),
  domain: Type.String(),
  name: Type.String(),
  context: Type.String(),
  cid_name: Type.String(),
  cid_number: Type.String(),
  type: Type.String(),
  auto_record: Type.Integer(),
  disabled: Type.Integer(),
  user_id: Type.Union([Type.Integer(), Type.Null()]),
  ...TimestampFields,
});

/** Rows other resources contribute to an extension's detail (see details.ts); their shape is theirs. */
const ContributedRows = Type.Array(Type.Object({}, { additionalProperties: true }));

/** What the extension's owner set with function codes (src/resources/extension-features). */
const ContributedFeatures = {
  dnd: Type.Optional(Type.Integer({ description: '1: do not disturb (calls are refused as busy)' })),
  forward_always: Type.Optional(Type.String({ description: 'every call is forwarded to this number; "" for none' })),
  forward_busy: Type.Optional(Type.String({ description: 'a call the extension refuses as busy is forwarded to this number' })),
  forward_noanswer: Type.Optional(Type.String({ description: 'a call the extension does not answer is forwarded to this number' })),
  call_transfer_type: Type.Optional(Type.String({ description: 'the forwards as CherryPBX\'s page shows one: "4" forward_always, else "2" forward_noanswer, else "3" forward_busy, else "0"' })),
  connect_phone: Type.Optional(Type.String({ description: 'the number of that forward; "" for none' })),
  timeout: Type.Optional(Type.String({ description: 'seconds a call rings the extension; "" for FreeSWITCH\'s default (60)' })),
};

/** The extension's first DOD as CherryPBX's extension page reads it (src/resources/dods). */
const ContributedDod = {
  dod_id: Type.Optional(Type.String({ description: 'id of the DOD; CherryPBX creates a new DOD on save without it' })),
  line_number: Type.Optional(Type.String({ description: 'the DOD\'s outbound caller number' })),
  dod_type: Type.Optional(Type.String({ description: 'GATEWAY, TRUNKS or DISTRIBUTORS' })),
  dod_name: Type.Optional(Type.String({ description: 'name of the gateway, trunk or distributor' })),
  ref_id: Type.Optional(Type.String({ description: 'id of the gateway, trunk or distributor' })),
};

/** The owner as CherryPBX's extension page shows and requires it (src/resources/users). */
const ContributedOwner = {
  login: Type.Optional(Type.String({ description: 'login of the user owning the extension; "" for none' })),
};

/**
 * The settings as the page compares them: switches as "0"/"1" (its 被叫业务 section compares
 * `eavesdrop` to "1" unconverted), selects as numbers (it calls toString on them). Never the PIN.
 */
const SettingsShown = {
  call_limit: Type.String(),
  force_insert: Type.String(),
  eavesdrop: Type.String(),
  voicemail: Type.String(),
  enable_ringback: Type.String(),
  boss_extn: Type.String(),
  force_breakdown: Type.String(),
  enable_srtp: Type.String(),
  called_limit: Type.String(),
  caller_display: Type.String(),
  enable_t38: Type.String(),
  forced_breakdown: Type.String(),
  forced_insert: Type.String(),
  intercepted: Type.Integer(),
  call_authority: Type.Integer(),
  intercept: Type.Integer(),
  dtmf_type: Type.Integer(),
  codec: Type.String({ description: 'comma-separated codec names, "" for the profile\'s' }),
  ringback: Type.String(),
  mac_address: Type.String(),
  secretary_extn: Type.String(),
  vm_pin_set: Type.Integer({ description: '1 when a voicemail PIN is set (the PIN itself is never answered)' }),
};

export const ExtensionDetail = Type.Object({ ...ExtensionRow.properties, ...SettingsShown, ...ContributedFeatures, ...ContributedDod, ...ContributedOwner, dids: ContributedRows, dods: ContributedRows });

export const ExtensionListQuery = Type.Object({
  ...ListQuery.properties,
  extn: Type.Optional(Type.String({ description: 'substring of the extension number' })),
  name: Type.Optional(Type.String({ description: 'substring of the name' })),
  domain: Type.Optional(Type.String()),
  context: Type.Optional(Type.String()),
  status: Type.Optional(Type.Union(['registered', 'unregistered', 'online', 'offline', 'enabled', 'disabled', '0', '1', 'all', ''].map((word) => Type.Literal(word)), {
    description: 'registered (or online) or unregistered (or offline) on the switches (503 when none answers); enabled (or 0), disabled (or 1); all or "" for every extension',
  })),
});

export const ExtensionUpload = Type.Object({
  extensions: Type.Array(ExtensionCreate, { minItems: 1, maxItems: LIST_CAP, description: 'extensions to create, all or none' }),
});

export const UserGatewayList = Type.Object({
  data: Type.Array(Type.Object({ id: Type.Integer(), extn: Type.String(), domain: Type.String() })),
});
