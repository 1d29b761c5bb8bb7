import { Type } from 'typebox';
import { Int, Name, Text, TimestampFields } from '../../http/kit/types.js';

/** The realm the spec shows on a blacklist number, as XUI's params rows carry it. */
export const BLACKLIST_REALM = 'BLACKLIST';

/** A number as calls bring it: digits, `+`, `*`, `#`, or a caller id like `anonymous`. */
export const ListedNumber = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z+*#]+$', description });

const ListType = Int({ minimum: 0, maximum: 1, description: '0 blacklist (listed numbers are refused), 1 whitelist (only listed numbers pass)' });
const LimitUserType = Int({ minimum: 0, maximum: 2, description: 'number checked: 0 the caller, 1 the callee, 2 both' });

/** The spec's example answers every value as a string; CherryPBX compares `list_type === "0"`. */
export const BlacklistRow = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  list_type: Type.String(),
  limit_user_type: Type.String(),
  ...TimestampFields,
});

export const BlacklistNumberRow = Type.Object({
  id: Type.Integer(),
  ref_id: Type.Integer({ description: 'the blacklist' }),
  realm: Type.String(),
  k: Type.String(),
  v: Type.String(),
  disabled: Type.Integer(),
  ...TimestampFields,
});

export const BlacklistDetail = Type.Object({ ...BlacklistRow.properties, params: Type.Array(BlacklistNumberRow) });

export const BlacklistCreate = Type.Object({
  name: Name(),
  description: Type.Optional(Text()),
  list_type: ListType,
  limit_user_type: LimitUserType,
});

export const BlacklistUpdate = Type.Object({
  name: Type.Optional(Name()),
  description: Type.Optional(Text()),
  list_type: Type.Optional(ListType),
  limit_user_type: Type.Optional(LimitUserType),
});

const Label = Text(128, 'name or note of the number');

export const NumberCreate = Type.Object({ k: Type.Optional(Label), v: ListedNumber('the number; it also lists every number it starts') });
export const NumberUpdate = Type.Object({ k: Type.Optional(Label), v: Type.Optional(NumberCreate.properties.v) });

const MAX_IMPORT = 1_000_000;
const NumberList = Type.Array(NumberCreate, { minItems: 1, maxItems: MAX_IMPORT });
export const NumberImport = Type.Union([
  Type.Object({ data: NumberList }),
  NumberList,
], { description: '{"data":[{k,v}]} as the spec sends, or the bare array CherryPBX sends' });

export const NumberMultiModify = Type.Object({
  data: Type.Array(Type.Object({ id: Int({ minimum: 1, description: 'id of a number of this list' }), k: Type.Optional(Label), v: Type.Optional(NumberCreate.properties.v) }), { minItems: 1, maxItems: 10_000 }),
});

export const NumberParams = Type.Object({ id: Int({ minimum: 1 }), nid: Int({ minimum: 1 }) });

/** The export's columns, as the spec's import names them. */
export const SHEET_COLUMNS = ['名称', '名单类型', '限制用户类型', '号码名称', '起始号码'] as const;

export const SheetRow = Type.Object({
  名称: Name('list name; rows with the same name form one list'),
  名单类型: ListType,
  限制用户类型: LimitUserType,
  号码名称: Type.Optional(Label),
  起始号码: Type.Optional(Type.Union([ListedNumber('the number'), Type.Literal('')])),
});

export const SheetImport = Type.Object({ lists: Type.Array(SheetRow, { minItems: 1, maxItems: MAX_IMPORT }) });

export const SheetImported = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
  data: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), description: Type.String(), list_type: Type.Integer(), limit_user_type: Type.Integer() })),
});
