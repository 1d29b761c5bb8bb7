import { Type } from 'typebox';
import { IntAsString, Name, Text, TimestampFields } from '../../http/kit/types.js';

const common = {
  name: Type.String(),
  description: Type.String(),
  ver: Type.String(),
  xml: Type.String({ description: 'the Blockly source' }),
  js: Type.String(),
  lua: Type.String({ description: 'what a call routed to the block runs' }),
  ivr_menu_id: Type.String(),
  ...TimestampFields,
};

/** The spec's list answers id as a string; its detail is the same row. */
export const BlockListRow = Type.Object({ id: IntAsString, ...common });
export const BlockDetail = Type.Object({ id: Type.Integer(), ...common });

/** Scripts are at most this long: a route's dialplan carries the Lua. */
const SCRIPT_LENGTH = 65_536;

const fields = {
  description: Type.Optional(Text()),
  ver: Type.Optional(Text(64)),
  xml: Type.Optional(Text(SCRIPT_LENGTH * 4, 'the Blockly source')),
  js: Type.Optional(Text(SCRIPT_LENGTH, 'the JavaScript the block compiles to (needs mod_v8, not built here)')),
  lua: Type.Optional(Text(SCRIPT_LENGTH, 'the Lua the block compiles to: what a call routed to the block runs')),
  ivr_menu_id: Type.Optional(Type.String({ pattern: '^[0-9]{0,10}$', description: 'an IVR id or ""' })),
};

export const BlockCreate = Type.Object({ name: Name('block name'), ...fields });
export const BlockUpdate = Type.Object({ name: Type.Optional(Name('block name')), ...fields });
