import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Column types of every table. Timestamps are stored as UTC ISO-8601 text in both dialects so
 * that one code path reads them; the HTTP layer renders them in the server's zone.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  dicts: DictsTable;
  contexts: ContextsTable;
  routes: RoutesTable;
  params: ParamsTable;
  time_recurrences: TimeRecurrencesTable;
  time_templates: TimeTemplatesTable;
  template_recurrences: TemplateRecurrencesTable;
  login_failures: LoginFailuresTable;
  sip_profiles: SipProfilesTable;
  gateways: GatewaysTable;
  gateway_variables: GatewayVariablesTable;
  ivr_menus: IvrMenusTable;
  ivr_actions: IvrActionsTable;
  function_codes: FunctionCodesTable;
  blocks: BlocksTable;
  media_files: MediaFilesTable;
  trunks: TrunksTable;
  trunk_groups: TrunkGroupsTable;
  trunk_group_members: TrunkGroupMembersTable;
  route_codes: RouteCodesTable;
  extensions: ExtensionsTable;
  media_cleanup: MediaCleanupTable;
  hotlines: HotlinesTable;
  dods: DodsTable;
  blacklists: BlacklistsTable;
  blacklist_numbers: BlacklistNumbersTable;
  number_translations: NumberTranslationsTable;
  number_translation_numbers: NumberTranslationNumbersTable;
  extension_features: ExtensionFeaturesTable;
  groups: GroupsTable;
  user_groups: UserGroupsTable;
}

interface Timestamps {
  created_at: string;
  updated_at: string;
}

export interface UsersTable extends Timestamps {
  id: Generated<number>;
  login: string;
  name: string;
  password_hash: string;
  /** The role: 1 administrator, 0 ordinary user. */
  super_admin: number;
  disabled: number;
  /** The console's kind of user (NORMAL, AGENT); not a permission. */
  type: Generated<string>;
  domain: Generated<string>;
  tel: Generated<string>;
  /** Stored like every timestamp; '' until the first login. */
  last_login_at: Generated<string>;
  /** The default extension, while the user owns it (`extensions.user_id`). */
  extn_id: number | null;
}

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  user_id: number;
  expires_at: string;
  created_at: string;
}

export interface DictsTable extends Timestamps {
  id: Generated<number>;
  realm: string;
  k: string;
  v: string;
  d: string;
  o: number;
}

export interface ContextsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  key: string;
  domain: string;
  hotline_enabled: number;
}

/** Columns with a database default are `Generated`: optional on insert. */
export interface RoutesTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  prefix: Generated<string>;
  max_length: number;
  /** The key of a context. */
  context: string;
  dnc: Generated<string>;
  sdnc: Generated<string>;
  dest_type: string;
  dest_uuid: Generated<string>;
  body: Generated<string>;
  auto_record: Generated<number>;
  /** Money as a 2-decimal string, "0.00". */
  bill_rate: Generated<string>;
  /** Id of a blacklist, or "". */
  blacklist: Generated<string>;
  proxy_media: Generated<number>;
  route_type: Generated<number>;
  /** Comma-joined codec names. */
  media_codec: Generated<string>;
  disabled: Generated<number>;
  cid_number: Generated<string>;
  did_enabled: Generated<number>;
  ringback_enabled: Generated<number>;
  ringback_tone: Generated<string>;
  force_video_recording: Generated<number>;
  outdest_type: Generated<string>;
  outdest_uuid: Generated<string>;
  outbody: Generated<string>;
}

/** XUI's shared key/value rows: (realm, ref_id) names the owner, e.g. ROUTE + a route id. */
export interface ParamsTable extends Timestamps {
  id: Generated<number>;
  realm: string;
  ref_id: number;
  k: string;
  v: string;
  o: number;
  disabled: number;
}

/** A route's time segment: while its recurrence holds, calls go to this destination instead. */
export interface TimeRecurrencesTable extends Timestamps {
  id: Generated<number>;
  route_id: number;
  time_recurrence: string;
  dest_type: string;
  dest_uuid: string;
  body: string;
}

export interface TimeTemplatesTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
}

export interface TemplateRecurrencesTable extends Timestamps {
  id: Generated<number>;
  template_id: number;
  time_recurrence: string;
}

/** Failed logins per key (address, login, or both) in the current throttle window. */
export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: string;
}

export interface SipProfilesTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  disabled: number;
}

export interface GatewaysTable extends Timestamps {
  id: Generated<number>;
  name: string;
  realm: string;
  username: string;
  password: string;
  /** As the client wrote it: yes, no, true or false. */
  register: string;
  profile_id: number;
  description: string;
  disabled: number;
  /** Called-number transform of calls leaving through the gateway, after the route's (number-transform.ts). */
  dnc: Generated<string>;
  /** Caller-number transform of those calls, after the route's sdnc and the DOD. */
  sdnc: Generated<string>;
}

/** A channel variable a gateway sets; direction 0 both, 1 inbound, 2 outbound. */
export interface GatewayVariablesTable extends Timestamps {
  id: Generated<number>;
  gateway_id: number;
  k: string;
  v: string;
  direction: number;
  disabled: number;
}

/** An audio file under MEDIA_DIR (its path is MEDIA_DIR/file_name); `type` is one of dicts MFILE_TYPE. */
export interface MediaFilesTable extends Timestamps {
  id: Generated<number>;
  type: string;
  name: string;
  description: string;
  /** The stored file's name under MEDIA_DIR, chosen by the server. */
  file_name: string;
  original_file_name: string;
  ext: string;
  mime: string;
  file_size: number;
  channel_uuid: string;
}

/** A SIP peer reached by address; `register` and `enabled` are 0/1 (booleans on the wire). */
export interface TrunksTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  /** INOUT, IN or OUT. */
  type: string;
  /** UDP, TCP or TLS. */
  protocol: string;
  local_addr: string;
  /** host[:port] or a sip: URI, as the client wrote it. */
  remote_addr: string;
  register: number;
  enabled: number;
  source: string;
  params: string;
  media_codec: string;
}

export interface TrunkGroupsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  /** RR or WEIGHT. */
  strategy: string;
  params: string;
  /** Calls placed through the group so far: where RR starts next, shared by every process. */
  rr_counter: Generated<number>;
}

export interface TrunkGroupMembersTable extends Timestamps {
  id: Generated<number>;
  trunk_group_id: number;
  trunk_id: number;
  weight: number;
}

export interface RouteCodesTable extends Timestamps {
  id: Generated<number>;
  code: string;
  description: string;
  tg_id: number;
}

export interface IvrMenusTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  /** Sounds: a media path, or the JSON `{media_id, media_path, media_type}` as clients wrote it. */
  greet_long: Generated<string>;
  greet_short: Generated<string>;
  invalid_sound: Generated<string>;
  exit_sound: Generated<string>;
  transfer_sound: Generated<string>;
  pin_file: Generated<string>;
  bad_pin_file: Generated<string>;
  exec_on_max_failures: Generated<string>;
  exec_on_max_timeouts: Generated<string>;
  confirm_macro: Generated<string>;
  confirm_key: Generated<string>;
  tts_engine: Generated<string>;
  tts_voice: Generated<string>;
  /** Digits or '' (FreeSWITCH reads '' as 0). */
  confirm_attempts: Generated<string>;
  pin: Generated<string>;
  timeout: Generated<number>;
  max_failures: Generated<number>;
  max_timeouts: Generated<number>;
  digit_len: Generated<number>;
  inter_digit_timeout: Generated<number>;
}

export interface IvrActionsTable extends Timestamps {
  id: Generated<number>;
  ivr_menu_id: number;
  digits: string;
  /** An IVR_ACTION_TYPE dict key. */
  action: string;
  match_prefix: number;
  args: string;
  body: string;
}

export interface FunctionCodesTable extends Timestamps {
  id: Generated<number>;
  func_code: string;
  /** A FUNC_CODE_TYPE dict key. */
  func_type: string;
  description: string;
  disabled: number;
}

export interface BlocksTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  ver: string;
  /** The Blockly source; `lua` is what a call runs. */
  xml: string;
  js: string;
  lua: string;
  ivr_menu_id: string;
}

export type TableName = keyof Database;
export type Row<T extends TableName> = Selectable<Database[T]>;
export type NewRow<T extends TableName> = Insertable<Database[T]>;
export type RowPatch<T extends TableName> = Updateable<Database[T]>;

export interface ExtensionsTable extends Timestamps {
  id: Generated<number>;
  extn: string;
  domain: Generated<string>;
  name: Generated<string>;
  /** A context key: the routing context of the extension's calls. */
  context: string;
  /** md5 of `extn:domain:password`, FreeSWITCH's `a1-hash`; the password itself is never kept. */
  a1_hash: string;
  cid_name: Generated<string>;
  cid_number: Generated<string>;
  type: Generated<string>;
  auto_record: Generated<number>;
  disabled: Generated<number>;
  user_id: number | null;
  /** CherryPBX's extension page's settings (migration 0018); see SETTING_SWITCHES, SETTING_SELECTS and SETTING_TEXTS in src/resources/extensions/routes.ts. */
  call_limit: Generated<number>;
  force_insert: Generated<number>;
  eavesdrop: Generated<number>;
  call_authority: Generated<number>;
  intercept: Generated<number>;
  /** 0 unspecified, 1 SIP INFO, 2 inband, 3 RFC 2833. */
  dtmf_type: Generated<number>;
  voicemail: Generated<number>;
  /** md5 of `extn:domain:pin`, mod_voicemail's `vm-a1-hash`; '' none (the PIN is never kept). */
  vm_a1_hash: Generated<string>;
  /** Codec names, comma-joined; '' FreeSWITCH's defaults. */
  codec: Generated<string>;
  enable_ringback: Generated<number>;
  /** CherryPBX's ringback JSON (`{"media_path":…}`), as routes' ringback_tone; '' none. */
  ringback: Generated<string>;
  mac_address: Generated<string>;
  boss_extn: Generated<number>;
  /** Login of a user, the boss's secretary; '' none. */
  secretary_extn: Generated<string>;
  force_breakdown: Generated<number>;
  enable_srtp: Generated<number>;
  called_limit: Generated<number>;
  caller_display: Generated<number>;
  enable_t38: Generated<number>;
  forced_breakdown: Generated<number>;
  forced_insert: Generated<number>;
  intercepted: Generated<number>;
}

/** A DID: calls to `line_number` (in a context with hotline_enabled) ring the extensions in `numbers`. */
export interface HotlinesTable extends Timestamps {
  id: Generated<number>;
  line_number: string;
  /** Extension numbers (extn), comma-separated. */
  numbers: string;
  /** Stored as given: the spec reserves both for later use. */
  type: string;
  ref_id: string;
  description: string;
}

/** A DOD: the caller id `line_number` that extension `extn_id` presents on a way out. */
export interface DodsTable extends Timestamps {
  id: Generated<number>;
  extn_id: number;
  line_number: string;
  /** GATEWAY (ref_id a gateway) or TRUNKS (ref_id a trunk). */
  type: string;
  ref_id: number;
}

export interface BlacklistsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  /** 0 blacklist (listed numbers are refused), 1 whitelist (only listed numbers pass). */
  list_type: number;
  /** Which number is checked: 0 the caller, 1 the callee, 2 both. */
  limit_user_type: number;
}

/** A number of a blacklist (`v`, matched as a prefix) with its label `k`. */
export interface BlacklistNumbersTable extends Timestamps {
  id: Generated<number>;
  blacklist_id: number;
  k: Generated<string>;
  v: string;
  disabled: Generated<number>;
}

export interface NumberTranslationsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  /** exact: the whole number must equal original_number; prefix: the longest original_number starting it wins. */
  type: string;
}

export interface NumberTranslationNumbersTable extends Timestamps {
  id: Generated<number>;
  table_id: number;
  original_number: string;
  nts_number: string;
}

/** Do-not-disturb and call forwards an extension set with function codes ('' for no forward). */
export interface ExtensionFeaturesTable {
  extension_id: number;
  dnd: Generated<number>;
  forward_always: Generated<string>;
  forward_busy: Generated<string>;
  forward_noanswer: Generated<string>;
  /** Seconds a call rings the extension; 0: FreeSWITCH's default. */
  ring_timeout: Generated<number>;
  updated_at: string;
}

/** The media page's "Regular Delete": at most one row (id 1). */
export interface MediaCleanupTable {
  id: number;
  /** Recordings older than this many months are deleted. */
  keep_months: number;
  created_at: string;
}

/** A group of users (XUI's groups). */
export interface GroupsTable extends Timestamps {
  id: Generated<number>;
  name: string;
  description: string;
  domain: string;
}

/** One user's membership of one group. */
export interface UserGroupsTable {
  id: Generated<number>;
  group_id: number;
  user_id: number;
  created_at: string;
}
