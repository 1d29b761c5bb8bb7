/**
 * Number-translation tables as a route's dnc (called number) or sdnc (caller number) names them.
 * The spec does not say how a route names a table; the XSwitch console (CherryPBX) writes its
 * "number change table" choice into dnc/sdnc as `s/prefix_nts_<table id>/<original>/<nts>/`, so
 * that is the form read here: `s/prefix_nts_<id>/` (or `exact_nts_`) followed by anything names
 * table <id>, and the table's own type decides how numbers match. An `exact` table translates a
 * number equal to an original_number into its nts_number; a `prefix` table replaces the longest
 * original_number that starts the number with its nts_number and keeps the rest. A number the
 * table does not list is left as it is.
 */
import type { NumberMap } from './number-map.js';

export const TRANSLATION_TYPES = ['exact', 'prefix'] as const;

export interface TranslationTable {
  id: number;
  name: string;
  type: string;
  /** original_number → nts_number. */
  numbers: NumberMap<string>;
}

const TABLE_RULE = /^s\/(?:prefix|exact)_nts_([1-9][0-9]{0,9})\//;

/** The id of the table a dnc/sdnc rule names, or null when the rule is of another form. */
export function translationTableOf(rule: string): number | null {
  const id = TABLE_RULE.exec(rule)?.[1];
  return id === undefined ? null : Number(id);
}

export interface Translation {
  tableId: number;
  name: string;
  type: string;
  from: string;
  to: string;
  /** The original_number that matched, or null (the number is unchanged). */
  matched: string | null;
}

export function translate(table: TranslationTable, number: string): Translation {
  const { id: tableId, name, type } = table;
  if (type === 'exact') {
    const nts = table.numbers.exact(number);
    return { tableId, name, type, from: number, to: nts ?? number, matched: nts === undefined ? null : number };
  }
  const match = table.numbers.longestPrefix(number);
  if (match === null) return { tableId, name, type, from: number, to: number, matched: null };
  return { tableId, name, type, from: number, to: match.value + number.slice(match.length), matched: number.slice(0, match.length) };
}
