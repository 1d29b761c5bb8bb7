import { Type } from 'typebox';
import { Int, Text, TimestampFields } from '../../http/kit/types.js';

export const DictRow = Type.Object({
  id: Type.Integer(),
  realm: Type.String(),
  k: Type.String(),
  v: Type.String(),
  d: Type.String(),
  o: Type.Integer(),
  ...TimestampFields,
});

const Realm = Type.String({ minLength: 1, maxLength: 64, description: 'group of the entry, e.g. DEST' });
const Key = Type.String({ minLength: 1, maxLength: 128 });

export const DictCreate = Type.Object({
  realm: Realm,
  k: Key,
  v: Type.Optional(Text()),
  d: Type.Optional(Text()),
  o: Type.Optional(Int({ description: 'display order' })),
});

export const DictUpdate = Type.Object({
  realm: Type.Optional(Realm),
  k: Type.Optional(Key),
  v: Type.Optional(Text()),
  d: Type.Optional(Text()),
  o: Type.Optional(Int({ description: 'display order' })),
});

export const DictQuery = Type.Object({
  realm: Type.Optional(Type.String({ description: 'only this realm' })),
  k: Type.Optional(Type.String({ description: 'only this key' })),
});
