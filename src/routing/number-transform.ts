/**
 * dnc / sdnc number transforms, as XUI's `utils.apply_dnc` applies them. The first character picks
 * the form:
 * - `/pattern/replacement/` runs FreeSWITCH's `regex` API (`regex m:/<number><rule>`): on a match the
 *   result is the replacement alone with `$N` groups; with no match the number is unchanged.
 * - `rN<repl>` replaces the first N characters (N one digit): `01234` + `r3999` → `99934`.
 * - `RN<repl>` replaces the last N characters; a shorter number becomes just `repl`.
 * - otherwise every `[+-][^+-]+` token applies left to right: `+xxx` prepends xxx, `-xxx` strips a
 *   leading xxx — and, an XUI quirk kept on purpose, strips exactly one character when the number
 *   does not start with xxx. Text outside tokens is ignored; a rule without tokens changes nothing.
 * XSwitch's further forms, as CherryPBX writes them (x one digit, a position from 1; positions past
 * the end mean the end):
 * - `mx<digits>` overwrites from position x with the digits: `01234` + `m299` → `09934`;
 * - `ix<digits>` inserts the digits before position x, `Ix<digits>` after it;
 * - `dx<n>` deletes n characters from position x: `01234` + `d22` → `034`;
 * - `@<text>` replaces the whole number: `01234` + `@100` → `100`.
 * XUI matched `-xxx` as a Lua pattern; here it is plain text, which only differs for Lua magic
 * characters (`.`, `%`, `[`, a trailing `*`…) that have no business in a phone number.
 * XUI fails with a Lua error on `r`/`R` without a digit; here the number stays unchanged.
 */
import { freeswitchRegex, patternProblem, separateString } from './freeswitch-regex.js';

const TOKEN = /[+-][^+-]+/g;

export function applyNumberTransform(number: string, rule: string): string {
  switch (rule[0]) {
    case undefined:
      return number;
    case '/':
      return freeswitchRegex(`m:/${number}${rule}`);
    case 'r': {
      const count = countAt(rule);
      return count === null ? number : rule.slice(2) + number.slice(count);
    }
    case 'R': {
      const count = countAt(rule);
      if (count === null) return number;
      const replacement = rule.slice(2);
      return number.length < count ? replacement : number.slice(0, number.length - count) + replacement;
    }
    case '@':
      return rule.slice(1);
    case 'm':
    case 'i':
    case 'I':
    case 'd': {
      const position = positionAt(rule);
      if (position === null) return number;
      const argument = rule.slice(2);
      const at = rule[0] === 'I' ? position : position - 1;
      if (rule[0] === 'm') return number.slice(0, at) + argument + number.slice(at + argument.length);
      if (rule[0] === 'd') return number.slice(0, at) + number.slice(at + Number(argument));
      return number.slice(0, at) + argument + number.slice(at);
    }
    default:
      return applyTokens(number, rule);
  }
}

const POSITIONAL = { m: 'overwrite from', i: 'insert before', I: 'insert after', d: 'delete from' } as const;

/** Why `rule` can never do what its author meant, or null when it is fine (including ''). */
export function validateNumberTransform(rule: string): string | null {
  switch (rule[0]) {
    case undefined:
      return null;
    case '/': {
      // The number is the first part of the FreeSWITCH argument; any number splits the same way.
      const [, pattern, replacement] = separateString(`0${rule}`, '/', 4);
      if (pattern === undefined || replacement === undefined) {
        return `"${rule}" must look like /pattern/replacement/`;
      }
      return patternProblem(pattern);
    }
    case 'r':
    case 'R':
      return countAt(rule) === null
        ? `"${rule}" needs a single digit after ${rule[0]}, like ${rule[0]}3999 (replace ${rule[0] === 'r' ? 'first' : 'last'} 3 digits with 999)`
        : null;
    case '@':
      return rule.length > 1 ? null : `"${rule}" needs the new number after @, like @100`;
    case 'm':
    case 'i':
    case 'I':
    case 'd':
      return positionAt(rule) !== null && /^[0-9]+$/.test(rule.slice(2)) ? null
        : `"${rule}" needs a position 1-9 then digits, like ${rule[0]}2${rule[0] === 'd' ? '1' : '99'} (${POSITIONAL[rule[0]]} position 2${rule[0] === 'd' ? ' one digit' : ''})`;
    default:
      if (!/^(?:[+-][^+-]+)+$/.test(rule)) {
        return `"${rule}" is not a rule: use /pattern/replacement/, rN<digits>, RN<digits>, mx/ix/Ix<digits>, dx<n>, @<number> or +prefix/-prefix tokens like -0+86`;
      }
      return null;
  }
}

/** The position digit (1-9) of the m/i/I/d forms. */
function positionAt(rule: string): number | null {
  const digit = rule.charCodeAt(1) - 48;
  return digit >= 1 && digit <= 9 ? digit : null;
}

function countAt(rule: string): number | null {
  const digit = rule.charCodeAt(1) - 48;
  return digit >= 0 && digit <= 9 ? digit : null;
}

function applyTokens(number: string, rule: string): string {
  let result = number;
  for (const [token] of rule.matchAll(TOKEN)) {
    const text = token.slice(1);
    if (token[0] === '+') result = text + result;
    else result = result.slice(result.startsWith(text) ? text.length : 1);
  }
  return result;
}
