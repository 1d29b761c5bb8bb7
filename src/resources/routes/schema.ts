import { Type } from 'typebox';
import { Decimal, Flag, IdList, Int, Text, TimestampFields } from '../../http/kit/types.js';

const routeFields = {
  name: Type.String(),
  description: Type.String(),
  prefix: Type.String(),
  context: Type.String(),
  dnc: Type.String(),
  sdnc: Type.String(),
  dest_type: Type.String(),
  dest_uuid: Type.String(),
  body: Type.String(),
  bill_rate: Type.String({ description: 'money, 2 decimals' }),
  blacklist: Type.String({ description: 'id of a blacklist, or ""' }),
  media_codec: Type.String({ description: 'comma-joined codec names' }),
  cid_number: Type.String(),
  ringback_tone: Type.String(),
  outdest_type: Type.String(),
  outdest_uuid: Type.String(),
  outbody: Type.String(),
  ...TimestampFields,
};

const numericFlags = [
  'max_length', 'auto_record', 'proxy_media', 'route_type', 'disabled',
  'did_enabled', 'ringback_enabled', 'force_video_recording',
] as const;

/** The route as the spec's current examples show it: integers are numbers. */
export const RouteRow = Type.Object({
  id: Type.Integer(),
  ...routeFields,
  ...Object.fromEntries(numericFlags.map((name) => [name, Type.Integer()])) as Record<(typeof numericFlags)[number], ReturnType<typeof Type.Integer>>,
});

/** Route verification answers every column as a string, as the spec's example does. */
export const VerifiedRouteRow = Type.Object({
  id: Type.String(),
  ...routeFields,
  ...Object.fromEntries(numericFlags.map((name) => [name, Type.String()])) as Record<(typeof numericFlags)[number], ReturnType<typeof Type.String>>,
  work_time: Type.String(),
});

export const RouteParamRow = Type.Object({
  id: Type.Integer(),
  realm: Type.String(),
  ref_id: Type.Integer(),
  k: Type.String(),
  v: Type.String(),
  o: Type.Integer(),
  disabled: Type.Integer(),
  ...TimestampFields,
});

export const RouteWithParams = Type.Object({ ...RouteRow.properties, params: Type.Optional(Type.Array(RouteParamRow)) });

// String first: Ajv coerces in place while trying branches, and a one-item array coerces to a string.
const MediaCodec = Type.Union([
  Type.String({ maxLength: 255 }),
  Type.Array(Type.String({ pattern: '^[^,\\s]+$', maxLength: 64 }), { maxItems: 32 }),
], { description: 'codec names, as an array or comma-joined' });

const Money = Decimal({ minimum: 0, maximum: 1e9, description: 'rate; stored with 2 decimals' });
const RouteType = Int({ minimum: 0, maximum: 4, description: '0 emergency, 1 intra-office, 2 local, 3 national, 4 international' });
const BlacklistRef = Type.String({ pattern: '^([1-9][0-9]{0,9})?$', description: 'id of a blacklist, or ""' });

/** Everything a client may set on a route; create requires name, max_length, context, dest_type. */
const writable = {
  name: Type.String({ minLength: 1, maxLength: 128 }),
  description: Text(),
  prefix: Type.String({ maxLength: 64, pattern: '^[^%_\\s]*$', description: 'called-number prefix; plain text' }),
  max_length: Int({ minimum: 1, maximum: 64 }),
  context: Type.String({ minLength: 1, maxLength: 64, description: 'key of a context' }),
  dnc: Text(255, 'called-number transform'),
  sdnc: Text(255, 'caller-number transform'),
  dest_type: Type.String({ minLength: 1, maxLength: 64, description: 'one of dicts realm DEST' }),
  dest_uuid: Text(1024, 'id of the destination object'),
  body: Text(65536),
  auto_record: Flag,
  bill_rate: Money,
  blacklist: BlacklistRef,
  proxy_media: Flag,
  route_type: RouteType,
  media_codec: MediaCodec,
  disabled: Flag,
  cid_number: Text(64),
  did_enabled: Flag,
  ringback_enabled: Flag,
  ringback_tone: Text(255),
  force_video_recording: Flag,
  outdest_type: Text(64),
  outdest_uuid: Text(255),
  outbody: Text(65536),
};

export const RouteCreate = Type.Object({
  ...Type.Partial(Type.Object(writable)).properties,
  name: writable.name,
  max_length: writable.max_length,
  context: writable.context,
  dest_type: writable.dest_type,
});

export const RouteUpdate = Type.Object({
  ...Type.Partial(Type.Object(writable)).properties,
  action: Type.Optional(Type.Literal('toggle')),
});

/** The fields the spec allows in a batch edit, plus `route`, the ids to edit (as many as a list shows at most). */
export const RouteBatchUpdate = Type.Object({
  route: IdList,
  auto_record: Type.Optional(Flag),
  media_codec: Type.Optional(MediaCodec),
  route_type: Type.Optional(RouteType),
  proxy_media: Type.Optional(Flag),
  bill_rate: Type.Optional(Money),
  blacklist: Type.Optional(BlacklistRef),
  did_enabled: Type.Optional(Flag),
});

export const RouteListQuery = Type.Object({
  destNumber: Type.Optional(Type.String({ maxLength: 64, description: 'verification: the called number' })),
  context: Type.Optional(Type.String({ description: 'context key' })),
  destType: Type.Optional(Type.String({ description: 'alias of dest_type' })),
  dest_type: Type.Optional(Type.String()),
  dest: Type.Optional(Type.String({ description: 'destination id (dest_uuid) or body' })),
  name: Type.Optional(Type.String({ description: 'substring of the name' })),
  disabled: Type.Optional(Flag),
  with_params: Type.Optional(Type.Boolean()),
});

export const ParamCreate = Type.Object({
  k: Type.String({ minLength: 1, maxLength: 255, description: 'dialplan application' }),
  v: Type.Optional(Text(65536, 'application data')),
  o: Type.Optional(Int({ description: 'run order' })),
  disabled: Type.Optional(Flag),
});

export const ParamUpdate = Type.Object({
  k: Type.Optional(ParamCreate.properties.k),
  v: Type.Optional(Text(65536)),
  o: Type.Optional(Int({ description: 'run order' })),
  disabled: Type.Optional(Flag),
  action: Type.Optional(Type.Literal('toggle')),
});
