import { Type } from 'typebox';
import { Flag, IntAsString, Name, Text, TimestampFields } from '../../http/kit/types.js';

const common = {
  name: Type.String(),
  description: Type.String(),
  key: Type.String({ description: 'identifier routes and extensions refer to' }),
  identifier: Type.String({ description: 'same as key' }),
  domain: Type.String(),
  ...TimestampFields,
};

/**
 * The spec's list shows `id` and `hotline_enabled` as strings, its detail both as numbers; the
 * detail's `hotline_enabled` is a string too, because CherryPBX's detail page compares it with "1"
 * and writes back what it shows (CONTRACT: the client wins), so a number would turn DID off.
 */
export const ContextListRow = Type.Object({ id: IntAsString, hotline_enabled: IntAsString, ...common });
export const ContextDetail = Type.Object({ id: Type.Integer(), hotline_enabled: IntAsString, ...common });

export const CONTEXT_KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';

export const ContextCreate = Type.Object({
  name: Name('context name'),
  description: Type.Optional(Text()),
  key: Type.Optional(Type.String({ pattern: CONTEXT_KEY_PATTERN, maxLength: 64, description: 'generated as context-N when absent' })),
  domain: Type.Optional(Text(255)),
  hotline_enabled: Type.Optional(Flag),
});

export const ContextUpdate = Type.Object({
  name: Type.Optional(Name('context name')),
  description: Type.Optional(Text()),
  domain: Type.Optional(Text(255)),
  hotline_enabled: Type.Optional(Flag),
});
