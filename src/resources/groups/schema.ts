import { Type } from 'typebox';
import { Id, IntAsString, Name, Text, TimestampFields } from '../../http/kit/types.js';

const common = {
  name: Type.String(),
  description: Type.String(),
  domain: Type.String(),
  ...TimestampFields,
};

/** Lists answer ids as strings, as the other console lists do; the detail as a number. */
export const GroupListRow = Type.Object({ id: IntAsString, ...common });
export const GroupDetail = Type.Object({ id: Type.Integer(), ...common });

const fields = {
  description: Type.Optional(Text()),
  domain: Type.Optional(Text(255)),
};

export const GroupCreate = Type.Object({ name: Name('group name'), ...fields });
export const GroupUpdate = Type.Object({ name: Type.Optional(Name('group name')), ...fields });

/** A group of a user, as CherryPBX's user page lists them (id, name, domain, description). */
export const UserGroupRow = Type.Object({ id: Type.Integer(), name: Type.String(), domain: Type.String(), description: Type.String() });

export const GroupMember = Type.Object({
  id: Type.Integer({ description: 'the membership' }),
  group_id: Type.Integer(),
  user_id: Type.Integer(),
  login: Type.String(),
  name: Type.String(),
  domain: Type.String(),
});

export const MemberCreate = Type.Object({ user_id: Id });
export const MemberParams = Type.Object({ group_id: Id, user_id: Id });
