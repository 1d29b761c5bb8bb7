import { Type } from 'typebox';
import { Flag, Id, Int, IntAsString, Name, Text, TimestampFields } from '../../http/kit/types.js';
import { DIGITS_PATTERN } from './values.js';

/** A sound on the wire: the media object the console chose, or a path ('' for none). */
const Sound = Type.Union([
  Type.Object({
    media_id: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    media_path: Type.String(),
    media_type: Type.Optional(Type.String()),
  }),
  Type.String(),
]);

const text = {
  name: Type.String(),
  description: Type.String(),
  key: Type.String({ description: 'ivr-<id>' }),
  identifier: Type.String({ description: 'same as key' }),
  exec_on_max_failures: Type.String(),
  exec_on_max_timeouts: Type.String(),
  confirm_macro: Type.String(),
  confirm_key: Type.String(),
  tts_engine: Type.String(),
  tts_voice: Type.String(),
  confirm_attempts: Type.String(),
  pin: Type.String(),
  greet_long: Sound,
  greet_short: Sound,
  invalid_sound: Sound,
  exit_sound: Sound,
  transfer_sound: Sound,
  pin_file: Sound,
  bad_pin_file: Sound,
  ...TimestampFields,
};

/** The spec's list answers every number as a string, its detail as numbers. */
export const IvrListRow = Type.Object({
  id: IntAsString,
  timeout: IntAsString,
  max_failures: IntAsString,
  max_timeouts: IntAsString,
  digit_len: IntAsString,
  inter_digit_timeout: IntAsString,
  count_actions: IntAsString,
  ...text,
});

export const IvrDetail = Type.Object({
  id: Type.Integer(),
  timeout: Type.Integer(),
  max_failures: Type.Integer(),
  max_timeouts: Type.Integer(),
  digit_len: Type.Integer(),
  inter_digit_timeout: Type.Integer(),
  ...text,
});

const SoundInput = Text(2048, 'a sound path, or the JSON string {"media_id":…,"media_path":…,"media_type":…}');
const Milliseconds = (description: string) => Int({ minimum: 0, maximum: 3_600_000, description });

const settings = {
  description: Type.Optional(Text()),
  greet_long: Type.Optional(SoundInput),
  greet_short: Type.Optional(SoundInput),
  invalid_sound: Type.Optional(SoundInput),
  exit_sound: Type.Optional(SoundInput),
  transfer_sound: Type.Optional(SoundInput),
  pin_file: Type.Optional(SoundInput),
  bad_pin_file: Type.Optional(SoundInput),
  timeout: Type.Optional(Milliseconds('ms to wait for the first digit; 15000 by default')),
  max_failures: Type.Optional(Int({ minimum: 0, maximum: 100, description: '3 by default' })),
  max_timeouts: Type.Optional(Int({ minimum: 0, maximum: 100, description: '4 by default' })),
  digit_len: Type.Optional(Int({ minimum: 1, maximum: 32, description: 'most digits collected; 1 by default' })),
  inter_digit_timeout: Type.Optional(Milliseconds('ms between two digits; 3000 by default')),
  exec_on_max_failures: Type.Optional(Text(1024, 'application and data run after too many failures, e.g. "hangup"')),
  exec_on_max_timeouts: Type.Optional(Text(1024, 'application and data run after too many timeouts')),
  confirm_macro: Type.Optional(Text(255)),
  confirm_key: Type.Optional(Type.String({ pattern: '^[0-9*#]?$', description: 'one DTMF key or ""' })),
  tts_engine: Type.Optional(Text(255)),
  tts_voice: Type.Optional(Text(255)),
  confirm_attempts: Type.Optional(Type.String({ pattern: '^[0-9]{0,3}$', description: 'a number or ""' })),
  pin: Type.Optional(Type.String({ pattern: '^[0-9*#]{0,32}$', description: 'digits callers must enter first, "" for none' })),
};

export const IvrCreate = Type.Object({ name: Name('IVR name'), ...settings });
export const IvrUpdate = Type.Object({ name: Type.Optional(Name('IVR name')), ...settings });

export const IvrActionRow = Type.Object({
  id: Type.Integer(),
  ivr_menu_id: Type.Integer(),
  digits: Type.String(),
  action: Type.String(),
  match_prefix: Type.Integer(),
  args: Type.String(),
  body: Type.String(),
  ...TimestampFields,
});

/**
 * One action as `GET /api/ivrs/:id/actions/:aid` answers it: match_prefix is "0"/"1", because
 * CherryPBX's action page compares it with "1" and saves what it compared (CONTRACT: the client
 * wins), so a number turned prefix matching off on every save. The list keeps the spec's number.
 */
export const IvrActionDetail = Type.Object({ ...IvrActionRow.properties, match_prefix: IntAsString });

const actionFields = {
  match_prefix: Type.Optional(Flag),
  args: Type.Optional(Text(2048, 'the action\'s target: an extension list, an IVR id, a context id, a sound path, TTS text…')),
  body: Type.Optional(Text(2048, 'the action\'s detail: an application line (IVR_SYSTEM), a number (IVR_ROUTE)…')),
};
const Digits = Type.String({ pattern: DIGITS_PATTERN, maxLength: 32, description: 'the DTMF keys that run the action (the first keys when match_prefix is 1)' });
const ActionType = Type.String({ maxLength: 64, description: 'an IVR_ACTION_TYPE dict key' });

export const IvrActionCreate = Type.Object({ digits: Digits, action: ActionType, ...actionFields });
export const IvrActionUpdate = Type.Object({ digits: Type.Optional(Digits), action: Type.Optional(ActionType), ...actionFields });

export const IvrActionParams = Type.Object({ id: Id, aid: Id });

export const IvrRouteRow = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  called_prefix: Type.String(),
  description: Type.String(),
});
