import { Type } from 'typebox';
import { LIST_CAP } from '../../http/kit/listing.js';
import { TimestampFields } from '../../http/kit/types.js';
import { LineNumber } from '../hotlines/schema.js';

const Extn = Type.String({ minLength: 1, maxLength: 32, description: 'the extension number (extn) whose calls present the line number' });
const WayOutType = Type.String({ description: 'GATEWAY or TRUNKS (DISTRIBUTORS is refused: Switchboard has no distributors)' });
const WayOutName = Type.String({ minLength: 1, maxLength: 128, description: 'name of the gateway or trunk' });
const WayOutId = Type.String({ pattern: '^[1-9][0-9]{0,9}$', description: 'id of the gateway or trunk, used when name is not given' });

/** The spec's list example answers ids as strings. */
export const DodRow = Type.Object({
  id: Type.String(),
  extn_id: Type.String(),
  extn: Type.String(),
  line_number: Type.String(),
  type: Type.String(),
  ref_id: Type.String(),
  name: Type.String(),
  ...TimestampFields,
});

/** CherryPBX reads `hpack` beside the page; rows are always objects here, never packed. */
export const DodPage = Type.Object({
  page: Type.Integer(),
  rowCount: Type.Integer(),
  pageCount: Type.Integer(),
  hpack: Type.Boolean(),
  data: Type.Array(DodRow),
});

export const DodCreate = Type.Object({
  line_number: LineNumber,
  extn: Extn,
  type: WayOutType,
  // CherryPBX's extension page sends name: null when only ref_id names the way out.
  name: Type.Optional(Type.Union([WayOutName, Type.Null()])),
  ref_id: Type.Optional(WayOutId),
});

export const DodUpdate = Type.Partial(DodCreate);

/** The spec's import (and export) columns. */
export const DOD_COLUMNS = { extn: '分机', line_number: '线路号码', type: '资源类型', name: '资源名' } as const;

export const DodImportRow = Type.Object({
  分机: Type.Optional(Type.String()),
  线路号码: Type.Optional(Type.String()),
  资源类型: Type.Optional(Type.String()),
  资源名: Type.Optional(Type.String()),
  extn: Type.Optional(Type.String()),
  line_number: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
});

export const DodImport = Type.Object({ dods: Type.Array(DodImportRow, { minItems: 1, maxItems: LIST_CAP }) });

/** The spec's import answer carries the ids as numbers. */
export const DodImportedRow = Type.Object({
  ...DodRow.properties,
  id: Type.Integer(),
  extn_id: Type.Integer(),
  ref_id: Type.Integer(),
});
export const DodImported = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(DodImportedRow) });
