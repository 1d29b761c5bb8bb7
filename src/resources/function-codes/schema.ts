import { Type } from 'typebox';
import { Flag, IntAsString, Text, TimestampFields } from '../../http/kit/types.js';

const common = {
  func_code: Type.String(),
  func_type: Type.String(),
  description: Type.String(),
  ...TimestampFields,
};

/** The spec's list answers id and disabled as strings, its detail as numbers. */
export const FunctionCodeListRow = Type.Object({ id: IntAsString, disabled: IntAsString, ...common });
export const FunctionCodeDetail = Type.Object({ id: Type.Integer(), disabled: Type.Integer(), ...common });

/** What a caller dials: DTMF keys, e.g. `*79`. */
const FuncCode = Type.String({ pattern: '^[0-9*#]{1,32}$', description: 'the keys a caller dials, e.g. *79' });
const FuncType = Type.String({ maxLength: 64, description: 'a FUNC_CODE_TYPE dict key' });

export const FunctionCodeCreate = Type.Object({
  func_code: FuncCode,
  func_type: FuncType,
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
});

export const FunctionCodeUpdate = Type.Object({
  func_code: Type.Optional(FuncCode),
  func_type: Type.Optional(FuncType),
  description: Type.Optional(Text()),
  disabled: Type.Optional(Flag),
});
