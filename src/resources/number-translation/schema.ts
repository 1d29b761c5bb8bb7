import { Type } from 'typebox';
import { Int, Name, Text, TimestampFields } from '../../http/kit/types.js';
import { ListedNumber } from '../blacklists/schema.js';

const TableType = Type.Union([Type.Literal('exact'), Type.Literal('prefix')], {
  description: 'exact: a number equal to original_number; prefix: the longest original_number that starts the number',
});

/** As the spec's examples answer: every value a string. */
export const TableRow = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  type: Type.String(),
  ...TimestampFields,
});

export const TableCreate = Type.Object({ name: Name(), description: Type.Optional(Text()), type: TableType });
/**
 * The spec: only the name and description of a table change (its numbers were written for its type).
 * `type` is accepted so that a client resending the whole table (CherryPBX's edit dialog) passes, and
 * refused when it differs rather than silently kept.
 */
export const TableUpdate = Type.Object({ name: Type.Optional(Name()), description: Type.Optional(Text()), type: Type.Optional(TableType) });

const Original = ListedNumber('the number as it comes');
// The translated number goes into the dialplan as a called or caller number: dialable characters only.
const Translated = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z+*#]+$', description: 'the number it becomes (prefix tables: what replaces the matched original_number)' });

export const TranslationCreate = Type.Object({ original_number: Original, nts_number: Translated });
export const TranslationUpdate = Type.Object({ original_number: Type.Optional(Original), nts_number: Type.Optional(Translated) });

export const TranslationImport = Type.Union([
  Type.Array(TranslationCreate, { minItems: 1, maxItems: 1_000_000 }),
  Type.Object({ data: Type.Array(TranslationCreate, { minItems: 1, maxItems: 1_000_000 }) }),
], { description: 'the bare array the spec and CherryPBX send, or {"data":[...]}' });

export const TranslationRow = Type.Object({
  id: Type.String(),
  original_number: Type.String(),
  nts_number: Type.String(),
  ...TimestampFields,
});

export const TranslationNumbers = Type.Object({
  nts_numbers: Type.Object({ page: Type.Integer(), rowCount: Type.Integer(), pageCount: Type.Integer(), data: Type.Array(TranslationRow) }),
  number_translation_info: Type.Array(Type.Object({ name: Type.String(), description: Type.String(), type: Type.String() })),
});

export const TranslationParams = Type.Object({ id: Int({ minimum: 1 }), nts_id: Int({ minimum: 1 }) });
