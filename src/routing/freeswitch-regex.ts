/**
 * What FreeSWITCH's `regex` API command (mod_commands `regex_function`) prints, so that `/…/…/`
 * number transforms behave as they do under XUI, which runs `regex m:/<number><rule>`.
 *
 * Written anew in TypeScript to behave as FreeSWITCH master does (behaviour read in mod_commands.c,
 * switch_utils.c and switch_regex.c; no FreeSWITCH code is copied):
 * - `m:X` picks the delimiter X (one of `|`, `~`, `/`); the argument splits into at most four parts
 *   `subject X pattern X substitution X flags` by `switch_separate_string`, which honours `\`
 *   escapes and single quotes and trims spaces.
 * - fewer than two parts: `-ERR`; two parts: `true`/`false` (does it match?);
 * - three or more: on a match the *substitution alone* with `$N`/`${N}` (or `%N`) replaced by the
 *   groups — text outside the match is not kept; with no match the subject unchanged (since
 *   FreeSWITCH 1.4, FS-5531; before, `false`), or `''` with flag `n`, or `false` with flag `b`.
 *   A pattern that does not compile counts as no match.
 * The pattern runs as a JavaScript RegExp. Escapes that PCRE gives a meaning JavaScript lacks
 * (`\A`, `\z`, `\h`, `\Q…\E`, …) make the pattern unsupported, which also counts as no match.
 */

const ESCAPE = '\\';

/** Output of `regex <args>` on a FreeSWITCH console. */
export function freeswitchRegex(args: string): string {
  let delimiter = '|';
  let rest = args;
  const chosen = args[2];
  if (args.startsWith('m:') && (chosen === '|' || chosen === '~' || chosen === '/')) {
    delimiter = chosen;
    rest = args.slice(3);
  }
  const [subject, pattern, substitution, flags = ''] = separateString(rest, delimiter, 4);
  if (subject === undefined || pattern === undefined) return '-ERR';
  const match = execPattern(pattern, subject);
  if (substitution === undefined) return match ? 'true' : 'false';
  if (!match) {
    if (flags.includes('n')) return '';
    if (flags.includes('b')) return 'false';
    return subject;
  }
  return substitute(substitution.replaceAll('%', '$'), match, subject);
}

/** Why `pattern` (as it reaches PCRE) cannot run here, or null if it can. */
export function patternProblem(pattern: string): string | null {
  const compiled = compilePattern(pattern);
  return typeof compiled === 'string' ? compiled : null;
}

/** Splits `args` as `switch_separate_string(buf, delimiter, argv, limit)` does. */
export function separateString(args: string, delimiter: string, limit: number): string[] {
  const parts: string[] = [];
  let partStart = -1;
  let insideQuotes = false;
  for (let i = 0; i < args.length; i++) {
    if (partStart < 0) {
      partStart = i;
      // The last part FreeSWITCH has room for takes the rest of the string, delimiters and all.
      if (parts.length + 1 === limit) break;
    }
    const c = args[i];
    if (c === ESCAPE) {
      i++;
    } else if (c === "'" && (insideQuotes || args.includes("'", i + 1))) {
      insideQuotes = !insideQuotes;
    } else if (c === delimiter && !insideQuotes) {
      parts.push(args.slice(partStart, i));
      partStart = -1;
    }
  }
  if (partStart >= 0) parts.push(args.slice(partStart));
  return parts.map((part) => cleanupSeparated(part, delimiter));
}

const UNESCAPED: Record<string, string> = { n: '\n', r: '\r', t: '\t', s: ' ' };

/** `cleanup_separated_string`: skip leading spaces, unescape, drop quotes, trim trailing spaces. */
function cleanupSeparated(part: string, delimiter: string): string {
  let out = '';
  let end = 0;
  let insideQuotes = false;
  let i = 0;
  while (part[i] === ' ') i++;
  for (; i < part.length; i++) {
    const c = part[i]!;
    const next = part[i + 1];
    if (c === ESCAPE && next !== undefined
      && (next === "'" || next === '"' || next === delimiter || next === ESCAPE || Object.hasOwn(UNESCAPED, next))) {
      out += UNESCAPED[next] ?? next;
      end = out.length;
      i++;
    } else if (c === "'" && (insideQuotes || part.includes("'", i + 1))) {
      insideQuotes = !insideQuotes;
      if (insideQuotes) end = out.length;
    } else {
      out += c;
      if (c !== ' ' || insideQuotes) end = out.length;
    }
  }
  return out.slice(0, end);
}

/** PCRE escapes whose JavaScript reading differs (or does not exist). */
const PCRE_ONLY_ESCAPES = new Set('AZzGhHvVRKQEXCNaegoxpP'.split(''));

const compiledPatterns = new Map<string, RegExp | string>();
const COMPILED_PATTERN_LIMIT = 1000;

/** A RegExp for the pattern, or why there is none. Memoised: routes reuse a handful of rules. */
function compilePattern(pattern: string): RegExp | string {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    compiled = compileUncached(pattern);
    if (compiledPatterns.size >= COMPILED_PATTERN_LIMIT) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function compileUncached(original: string): RegExp | string {
  let pattern = original;
  let flags = '';
  // switch_regex_perform: `_…` is an Asterisk-style pattern, `/…/opts` carries PCRE options.
  if (pattern.startsWith('_')) pattern = asteriskToRegex(pattern.slice(1));
  if (pattern.startsWith('/')) {
    const close = pattern.lastIndexOf('/');
    if (close === 0) return `pattern "${original}" has no closing "/"`;
    const options = pattern.slice(close + 1);
    flags = (options.includes('i') ? 'i' : '') + (options.includes('s') ? 's' : '');
    pattern = pattern.slice(1, close);
  }
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== ESCAPE) continue;
    const escaped = pattern[++i];
    // `\x41` means the same in both; only PCRE's `\x{…}` form differs.
    if (escaped !== undefined && PCRE_ONLY_ESCAPES.has(escaped) && !(escaped === 'x' && pattern[i + 1] !== '{')) {
      return `pattern "${original}" uses \\${escaped}, a PCRE escape that is not supported`;
    }
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    return `pattern "${original}" is not a valid regular expression (${(error as Error).message})`;
  }
}

/** `switch_ast2regex`: N is [2-9], X is [0-9], Z is [1-9], `.` is "anything", anchored both ends. */
function asteriskToRegex(pattern: string): string {
  const classes: Record<string, string> = { N: '[2-9]', X: '[0-9]', Z: '[1-9]', '.': '.*' };
  return `^${[...pattern].map((c) => classes[c] ?? c).join('')}$`;
}

function execPattern(pattern: string, subject: string): RegExpExecArray | null {
  const compiled = compilePattern(pattern);
  return typeof compiled === 'string' ? null : compiled.exec(subject);
}

/**
 * `switch_perform_substitution`. `$N`/`${N}` expand to group N (nothing if it did not take part);
 * a `$` not followed by a group reference stays literal. FreeSWITCH garbles an unclosed `${N`;
 * here it stays literal. The output is capped like FreeSWITCH's buffer.
 */
function substitute(template: string, match: RegExpExecArray, subject: string): string {
  const expanded = template.replace(/\$(?:\{(\d+)\}|(\d+))/g, (_whole, braced?: string, bare?: string) => {
    const group = Number(braced ?? bare);
    return group <= 256 ? match[group] ?? '' : '';
  });
  let highestSetGroup = 0;
  match.forEach((value, group) => {
    if (value !== undefined) highestSetGroup = group;
  });
  const bufferSize = (subject.length + template.length + 10) * (highestSetGroup + 1);
  return expanded.slice(0, bufferSize - 1);
}
