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

const TABLE_HEADS = ['s/prefix_nts_', 's/exact_nts_'];
const MAX_ID_DIGITS = 10;

/**
 * The id of the table a dnc/sdnc rule names (`s/prefix_nts_<id>/…` or `s/exact_nts_<id>/…`, the id
 * without a leading zero), or null when the rule is of another form. Read by hand, not by a
 * regular expression: every decision of a route reads its rules, and this allocates nothing.
 */
export function translationTableOf(rule: string): number | null {
  if (rule.charCodeAt(0) !== 115 /* s */) return null;
  const head = TABLE_HEADS.find((text) => rule.startsWith(text))?.length;
  if (head === undefined || rule.charCodeAt(head) === 48 /* 0 */) return null;
  let id = 0;
  let at = head;
  for (; at < rule.length && at - head < MAX_ID_DIGITS; at++) {
    const digit = rule.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) break;
    id = id * 10 + digit;
  }
  return at > head && rule.charCodeAt(at) === 47 /* / */ ? id : null;
}

/**
 * A rule naming a table as it is stored. CherryPBX's route page writes a fresh table choice as
 * `s/prefix_nts_<id>///`, but reads a rule back as a table choice only in XUI's form, both slots
 * filled (`s/prefix_nts_<id>/original_number/nts_number/`: the table's columns); otherwise it shows
 * no transformation. A rule naming a table with both slots empty is therefore stored in XUI's form;
 * every other rule as written. Both forms name the same table.
 */
export function storedTableRule(rule: string): string {
  const id = translationTableOf(rule);
  if (id === null) return rule;
  const head = TABLE_HEADS.find((text) => rule.startsWith(text))!;
  return rule === `${head}${id}///` ? `${head}${id}/original_number/nts_number/` : rule;
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
