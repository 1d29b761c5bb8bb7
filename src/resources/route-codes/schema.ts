import { Type } from 'typebox';
import { Id, Text } from '../../http/kit/types.js';

export const RouteCodeRow = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  description: Type.String(),
  tg_id: Type.Integer(),
});

const Code = Type.String({ minLength: 1, maxLength: 8, pattern: '^[^\\u0000-\\u001f]*$', description: 'the route code, at most 8 characters' });

export const RouteCodeCreate = Type.Object({
  code: Code,
  tg_id: { ...Id, description: 'id of the trunk group the code routes to' },
  description: Type.Optional(Text()),
});

export const RouteCodeUpdate = Type.Partial(RouteCodeCreate);
