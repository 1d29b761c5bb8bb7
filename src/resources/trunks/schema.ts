import { Type } from 'typebox';
import { Text, TimestampFields } from '../../http/kit/types.js';

const TrunkType = Type.Union([Type.Literal('INOUT'), Type.Literal('IN'), Type.Literal('OUT')], { description: 'INOUT, IN or OUT' });
const Protocol = Type.Union([Type.Literal('UDP'), Type.Literal('TCP'), Type.Literal('TLS')], { description: 'UDP, TCP or TLS' });
/** The spec answers booleans and its import sends "t"/"f" (PostgreSQL's spelling). */
export const Bool = Type.Union([Type.Boolean(), Type.Literal('t'), Type.Literal('f')], { description: 'true/false (also 0/1, "t"/"f")' });
export const TrunkName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f]*$', description: 'trunk name' });
const Address = (description: string) => Type.String({ maxLength: 300, description });
const Source = Type.String({ maxLength: 128, description: 'where calls from the trunk come from, e.g. the context "context-2"' });
const Params = Type.String({ maxLength: 4096 });
const MediaCodec = Type.String({ maxLength: 255 });

export const TrunkRow = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  type: Type.String(),
  protocol: Type.String(),
  local_addr: Type.String(),
  remote_addr: Type.String(),
  register: Type.Boolean(),
  enabled: Type.Boolean(),
  source: Type.String(),
  params: Type.String(),
  media_codec: Type.String(),
  ...TimestampFields,
});

export const TrunkMembership = Type.Object({
  id: Type.Integer({ description: 'trunk group id' }),
  name: Type.String(),
  strategy: Type.String(),
  weight: Type.Integer(),
});

export const TrunkDetail = Type.Object({ ...TrunkRow.properties, trunk_groups: Type.Array(TrunkMembership) });

export const TrunkCreate = Type.Object({
  name: TrunkName,
  remote_addr: Address('where calls to the trunk go: host[:port] or sip:host[:port]'),
  local_addr: Type.Optional(Address('our address as the trunk knows it: host[:port], sip:host[:port] or ""')),
  description: Type.Optional(Text()),
  type: Type.Optional(TrunkType),
  protocol: Type.Optional(Protocol),
  register: Type.Optional(Bool),
  enabled: Type.Optional(Bool),
  source: Type.Optional(Source),
  params: Type.Optional(Params),
  media_codec: Type.Optional(MediaCodec),
});

export const TrunkUpdate = Type.Partial(TrunkCreate);

/** One row of the import, keyed by the export's (Chinese) column names, values as the sheet holds them. */
export const TrunkImportRow = Type.Object({
  中继名称: TrunkName,
  远端地址: Address('host[:port] or sip:host[:port]'),
  描述: Type.Optional(Text()),
  类型: Type.Optional(TrunkType),
  本地地址: Type.Optional(Address('host[:port], sip:host[:port] or ""')),
  协议: Type.Optional(Protocol),
  是否注册: Type.Optional(Bool),
  呼叫源: Type.Optional(Source),
  是否启用: Type.Optional(Bool),
  参数: Type.Optional(Params),
});

export const TrunkImport = Type.Object({ trunks: Type.Array(TrunkImportRow, { minItems: 1, maxItems: 10_000 }) });

/** The import answers the new rows as the spec shows them: every value a string, flags "t"/"f". */
const ImportedRow = Type.Object(Object.fromEntries(Object.keys(TrunkRow.properties).map((key) => [key, Type.String()])));
export const TrunkImported = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(ImportedRow) });
