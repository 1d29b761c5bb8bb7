import { Type, type TProperties } from 'typebox';

/** A flag as the spec writes it (`"true"`/`"false"`), or as CONTRACT allows (true/false, 0/1, "0"/"1"). */
const Flag = (description: string) => Type.Union([Type.Boolean(), Type.Integer({ minimum: 0, maximum: 1 })], { description });

const App = Type.Object({
  app: Type.String({ maxLength: 32, description: 'an app of the whitelist (see the channels note in the README)' }),
  args: Type.Optional(Type.String({ maxLength: 512 })),
});

/** 外呼: form or JSON; `apps` only as JSON. Patterns are checked where the command is built, and name the field. */
export const OriginateBody = Type.Object({
  destNumber: Type.String({ minLength: 1, maxLength: 64, description: 'the number called: digits, +, * and #' }),
  app: Type.Optional(Type.String({ maxLength: 32, description: 'the app the answered channel runs (default park)' })),
  args: Type.Optional(Type.String({ maxLength: 512, description: 'its arguments' })),
  apps: Type.Optional(Type.Array(App, { minItems: 1, maxItems: 32, description: 'several apps, in order (JSON only)' })),
  autoAnswer: Type.Optional(Flag('the called phone answers by itself (sip_auto_answer)')),
  earlyMedia: Type.Optional(Flag('default true; false: the call counts as up only once answered (ignore_early_media)')),
  cidName: Type.Optional(Type.String({ maxLength: 64, description: 'caller name shown' })),
  cidNumber: Type.Optional(Type.String({ maxLength: 64, description: 'caller number shown' })),
  userGateway: Type.Optional(Type.String({ maxLength: 64, description: 'a registered user whose device carries the call on to destNumber' })),
  async: Type.Optional(Flag('default false; true: answer once the switch took the call, without its outcome')),
  switch: Type.Optional(Type.String({ maxLength: 300, description: 'beyond the spec: host:port of the FREESWITCH_ESL switch that places the call' })),
});

export const OriginateReply = Type.Object({
  result: Type.String({ description: 'ok | error' }),
  uuid: Type.Optional(Type.String({ description: 'the new channel' })),
  jobUUID: Type.Optional(Type.String({ description: 'async: the background job placing the call' })),
  reason: Type.Optional(Type.String({ description: 'error: the switch’s hangup cause (NO_ANSWER, USER_NOT_REGISTERED...)' })),
});

/** The columns of FreeSWITCH's `show channels`, as the spec's example lists them. */
export const CHANNEL_COLUMNS = [
  'uuid', 'direction', 'created', 'created_epoch', 'name', 'state', 'cid_name', 'cid_num', 'ip_addr', 'dest',
  'application', 'application_data', 'dialplan', 'context', 'read_codec', 'read_rate', 'read_bit_rate', 'write_codec',
  'write_rate', 'write_bit_rate', 'secure', 'hostname', 'presence_id', 'presence_data', 'accountcode', 'callstate',
  'callee_name', 'callee_num', 'callee_direction', 'call_uuid', 'sent_callee_name', 'sent_callee_num',
  'initial_cid_name', 'initial_cid_num', 'initial_ip_addr', 'initial_dest', 'initial_dialplan', 'initial_context',
] as const;

export const ChannelListRow = Type.Object({
  ...Object.fromEntries(CHANNEL_COLUMNS.map((column) => [column, Type.String()])) as TProperties,
  switch: Type.String({ description: 'beyond the spec: host:port of the switch the channel is on' }),
});

export const UuidParams = Type.Object({ uuid: Type.String({ minLength: 1, maxLength: 128, description: 'channel uuid' }) });

export const HangupQuery = Type.Object({
  hangupCause: Type.Optional(Type.String({ maxLength: 64, description: 'a FreeSWITCH hangup cause; default NORMAL_CLEARING' })),
});

/** One body for the three actions; what each needs is checked by the handler, so failures get the spec's bodies. */
export const ActionBody = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 32, description: 'deaf | record | snapshot' })),
  deaf: Type.Optional(Type.String({ maxLength: 8, description: 'deaf: on | off' })),
  record: Type.Optional(Type.String({ maxLength: 8, description: 'record: on | off' })),
  file_name: Type.Optional(Type.String({ maxLength: 300, description: 'record: file under RECORDINGS_DIR (name or subfolder/name; .mp4, .wav, .mp3)' })),
  png_name: Type.Optional(Type.String({ maxLength: 300, description: 'snapshot: .png file under RECORDINGS_DIR' })),
});

export const ActionReply = Type.Object({
  msg: Type.String(),
  code: Type.Integer(),
  file: Type.Optional(Type.String({ description: 'record: the full path of the file on the switch' })),
});

/** An action's failure: CONTRACT's code and message, and the spec's `reason` (400) or the switch's `msg` (404, 409). */
export const ActionFailure = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  data: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  msg: Type.Optional(Type.String()),
});
