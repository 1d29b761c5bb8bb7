import { Type } from 'typebox';
import { Id, Int, Text, TimestampFields } from '../../http/kit/types.js';
import { RouteCodeRow } from '../route-codes/schema.js';

const Strategy = Type.Union([Type.Literal('RR'), Type.Literal('WEIGHT')], {
  description: 'RR: members in turn; WEIGHT: a member drawn by weight. Either way a member that fails is skipped for the next',
});
const GroupName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f]*$', description: 'trunk group name' });

export const TrunkGroupRow = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  strategy: Type.String(),
  params: Type.String(),
  ...TimestampFields,
});

export const MemberRow = Type.Object({
  id: Type.Integer({ description: 'membership id' }),
  trunk_id: Type.Integer(),
  name: Type.String({ description: "the trunk's name" }),
  remote_addr: Type.String(),
  enabled: Type.Boolean(),
  weight: Type.Integer(),
});

export const TrunkGroupDetail = Type.Object({
  ...TrunkGroupRow.properties,
  members: Type.Array(MemberRow),
  route_codes: Type.Array(RouteCodeRow),
});

const Member = Type.Object({
  trunk_id: Id,
  weight: Type.Optional(Int({ minimum: 0, maximum: 10_000, description: 'share of calls under WEIGHT (0: only when the others fail); default 1' })),
});

const Members = Type.Array(Member, { maxItems: 1000, description: 'the trunks of the group, replacing any before; RR takes them in this order' });

export const TrunkGroupCreate = Type.Object({
  name: GroupName,
  description: Type.Optional(Text()),
  strategy: Type.Optional(Strategy),
  params: Type.Optional(Type.String({ maxLength: 4096 })),
  members: Type.Optional(Members),
});

export const TrunkGroupUpdate = Type.Partial(TrunkGroupCreate);

/** The spec's answer to an update: `{"id":"22"}`. */
export const TrunkGroupUpdated = Type.Object({ id: Type.String() });

export const TrunkStatusRow = Type.Object({
  description: Type.String(),
  group_name: Type.String(),
  status: Type.String(),
  group_id: Type.String(),
  priority: Type.String(),
  remote_addr: Type.String(),
  dflags: Type.String(),
  ping: Type.String(),
  flags: Type.String(),
  attrs: Type.String(),
});
