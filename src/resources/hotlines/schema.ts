import { Type } from 'typebox';
import { LIST_CAP } from '../../http/kit/listing.js';
import { Text, TimestampFields } from '../../http/kit/types.js';
import { LINE_NUMBER_PATTERN } from './numbers.js';

export const LineNumber = Type.String({ pattern: LINE_NUMBER_PATTERN, description: 'the line number: digits, * and #, an optional leading +' });
const Numbers = Type.String({ minLength: 1, maxLength: 1024, description: 'extension numbers (extn) to ring, comma-separated' });
const Reserved = (description: string) => Type.String({ maxLength: 64, description });

/** The spec's example answers every value as a string, ids included. */
export const HotlineRow = Type.Object({
  id: Type.String(),
  line_number: Type.String(),
  numbers: Type.String(),
  type: Type.String(),
  ref_id: Type.String(),
  description: Type.String(),
  ...TimestampFields,
});

export const HotlineCreate = Type.Object({
  line_number: LineNumber,
  numbers: Numbers,
  description: Type.Optional(Text()),
  type: Type.Optional(Reserved('reserved by the spec; stored as given')),
  ref_id: Type.Optional(Reserved('reserved by the spec; stored as given')),
});

export const HotlineUpdate = Type.Partial(HotlineCreate);

/** The export's columns, in order: the header row names them, and the import reads rows keyed by them. */
export const HOTLINE_COLUMNS = { line_number: '线路号码', numbers: '分机', description: '描述' } as const;

/** An imported row: keyed by the export's (Chinese) column names, or by the field names. */
export const HotlineImportRow = Type.Object({
  线路号码: Type.Optional(Type.String()),
  分机: Type.Optional(Type.String()),
  描述: Type.Optional(Text()),
  line_number: Type.Optional(Type.String()),
  numbers: Type.Optional(Type.String()),
  description: Type.Optional(Text()),
});

export const HotlineImport = Type.Object({ dids: Type.Array(HotlineImportRow, { minItems: 1, maxItems: LIST_CAP }) });
export const HotlineImported = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Array(HotlineRow) });
