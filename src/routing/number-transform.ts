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
    default:
      return applyTokens(number, rule);
  }
}

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
    default:
      if (!/^(?:[+-][^+-]+)+$/.test(rule)) {
        return `"${rule}" is not a rule: use /pattern/replacement/, rN<digits>, RN<digits> or +prefix/-prefix tokens like -0+86`;
      }
      return null;
  }
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
