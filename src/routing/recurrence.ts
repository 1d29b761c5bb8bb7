/**
 * Time recurrences: `DTSTART|DURATION|FREQ|UNTIL|INTERVAL|BYDAY|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYMONTH`,
 * e.g. `20230305T170000|PT6H0.06S|daily||1|MO,TU,WE,TH,FR` (weekdays 17:00 to 23:00).
 *
 * Semantics (decisions marked as such):
 * - DTSTART and UNTIL are wall-clock times in the zone given at evaluation time (the server's TZ).
 *   UNTIL may also be a date `YYYYMMDD`, meaning "starts on or before that day". Decision: DTSTART
 *   may be a bare date too (midnight), as RFC 5545 allows.
 * - "Now" is inside iff some occurrence start S has S <= now < S + DURATION. Occurrences before
 *   DTSTART do not exist (RFC 5545), so nothing before DTSTART matches.
 * - FREQ is daily|weekly|monthly|yearly, any case. Decision: an empty FREQ is a one-off window
 *   [DTSTART, DTSTART + DURATION). The spec's own example `20100101T010101|PT10H||daily` puts the
 *   frequency in the UNTIL slot; when FREQ is empty and UNTIL holds a frequency word, it is the FREQ.
 * - BYDAY and the BY* lists filter occurrence *starts*, as RRULE does: a window that starts on
 *   Friday 22:00 and runs into Saturday matches on Saturday morning even with BYDAY=MO..FR.
 * - DURATION is `P[nW][nD][T[nH][nM][n[.n]S]]`; hours may exceed 24. Decision: fractional seconds
 *   count exactly, to the millisecond (`PT59M59.696S` ends 304 ms before the hour).
 * - DST, decided as RFC 5545 does: a start in a spring-forward gap is read with the offset before
 *   the gap (02:30 becomes 03:30); an ambiguous start (fall-back) is its first occurrence. Weeks and
 *   days of DURATION are nominal (same wall time N days later), hours/minutes/seconds are elapsed
 *   time, which is how luxon's `plus` adds a duration.
 *
 * Bounds (decisions), so that no string, whether sent or already stored, can stall the process:
 * - Years 1900 to 9999. rrule computes no later year, and reads years below 100 as 19xx.
 * - A repeating rule lasts at most 366 days (a leap year) per occurrence; a one-off window ends by
 *   the end of 9999. INTERVAL is at most 10000.
 * - A BYDAY ordinal counts within a month for monthly rules and yearly rules with BYMONTH, so it
 *   is at most 5 there (53 in a yearly rule without BYMONTH).
 * - `validateRecurrence` (writes) also refuses a rule that never starts: no start from DTSTART to
 *   UNTIL, the end of 9999, or 100 years on, whichever comes first (30 February, BYWEEKNO 1 in
 *   June, an INTERVAL that always skips the BYDAY days...). Decision: 100 years, not the exact
 *   400-year cycle of the calendar: no schedule a PBX keeps waits a century for its first start,
 *   and the check stays within a few milliseconds. The error names the parts that conflict.
 *
 * Evaluation sits on the call path. rrule walks forward from DTSTART period by period until it
 * passes the end of the asked range, and a period without a start does not end that walk: a rule
 * that never starts again runs it to the year 9999 (seconds to minutes for a daily rule). So rrule
 * is only ever asked for the starts of one calendar year at a time: a yearly rule over that year
 * with the same filters, whose next period falls beyond 9999. rrule still decides every BY* part
 * (ordinals, ISO weeks, negative days, what DTSTART implies); this module keeps the periods that
 * INTERVAL selects. A query costs at most three such years, whatever the string says.
 *
 * `recurrenceContains` keeps, per recurrence, the occurrence windows of the next two weeks as
 * sorted instants and answers with a binary search. Starts are "floating" wall-clock times written
 * as UTC dates; only turning them into instants needs the zone.
 */
import rrule from 'rrule';
import type { Options as RRuleOptions, Weekday } from 'rrule';
import { DateTime, Duration, Info, type Zone } from 'luxon';

const { RRule } = rrule;

export type Frequency = 'daily' | 'weekly' | 'monthly' | 'yearly';

export type RecurrenceField =
  | 'time_recurrence'
  | 'dtstart'
  | 'duration'
  | 'freq'
  | 'until'
  | 'interval'
  | 'byday'
  | 'bymonthday'
  | 'byyearday'
  | 'byweekno'
  | 'bymonth';

/** A recurrence string that cannot be used; `field` names the offending part. */
export class RecurrenceError extends Error {
  constructor(
    readonly field: RecurrenceField,
    message: string,
  ) {
    super(message);
    this.name = 'RecurrenceError';
  }
}

export interface Recurrence {
  /** The string as given. */
  readonly text: string;
  /** null: a single window starting at DTSTART. */
  readonly freq: Frequency | null;
  readonly interval: number;
  readonly duration: Duration;
  /** DTSTART and UNTIL as floating wall-clock times (the wall time written as a UTC instant), in ms. */
  readonly dtstart: number;
  readonly until: number | null;
  /**
   * rrule options that pick, within one calendar year, the days and the time of day that the BY*
   * parts and DTSTART allow; null for a one-off window.
   */
  readonly dayFilter: Partial<RRuleOptions> | null;
}

/** The parts of a recurrence string, read but not yet combined. */
interface RuleParts {
  freq: Frequency | null;
  dtstart: number;
  duration: Duration;
  until: number | null;
  interval: number;
  byDay: Weekday[];
  byMonthDay: number[];
  byYearDay: number[];
  byWeekNo: number[];
  byMonth: number[];
}

const FIELD_ORDER: readonly RecurrenceField[] = [
  'dtstart', 'duration', 'freq', 'until', 'interval', 'byday', 'bymonthday', 'byyearday', 'byweekno', 'bymonth',
];

const FREQUENCIES: Record<Frequency, RRuleOptions['freq']> = {
  daily: RRule.DAILY,
  weekly: RRule.WEEKLY,
  monthly: RRule.MONTHLY,
  yearly: RRule.YEARLY,
};

/** In rrule's numbering: 0 is Monday. */
const WEEKDAY_LIST: readonly Weekday[] = [RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA, RRule.SU];
const WEEKDAYS: Record<string, Weekday> = Object.fromEntries(WEEKDAY_LIST.map((day) => [day.toString(), day]));

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const FIRST_YEAR = 1900;
/** rrule's last year: its iteration stops after it. */
const LAST_YEAR = 9999;
const AFTER_LAST_YEAR = Date.UTC(LAST_YEAR + 1, 0, 1);
const END_OF_LAST_YEAR = AFTER_LAST_YEAR - 1;
const MAX_REPEATING_DURATION_MS = 366 * DAY_MS;
const MAX_INTERVAL = 10_000;
/** Ordinal weekdays that count within a month: no month has a sixth Monday. */
const MAX_ORDINAL_IN_MONTH = 5;
const OCCURRENCE_HORIZON_YEARS = 100;

const ALL_MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const ALL_MONTH_DAYS = Array.from({ length: 31 }, (_, i) => i + 1);

function isFrequency(word: string): word is Frequency {
  return Object.hasOwn(FREQUENCIES, word);
}

/** Parses a recurrence string, throwing `RecurrenceError` that names the first bad field. Cheap: no occurrence is computed. */
export function parseRecurrence(text: string): Recurrence {
  return toRecurrence(text, readParts(text).parts);
}

/**
 * What a write accepts: everything `parseRecurrence` checks, and that the rule starts at least
 * once (see the module comment). Costs up to a few milliseconds, so it is for writes, not calls.
 */
export function validateRecurrence(text: string): Recurrence {
  const { parts, raw } = readParts(text);
  const recurrence = toRecurrence(text, parts);
  if (firstStart(recurrence) === null) throw neverStarts(parts, raw);
  return recurrence;
}

function readParts(text: string): { parts: RuleParts; raw: (name: RecurrenceField) => string } {
  const fields = text.split('|').map((part) => part.trim());
  if (fields.length > FIELD_ORDER.length) {
    throw new RecurrenceError('time_recurrence',
      `has ${fields.length} fields separated by "|"; at most ${FIELD_ORDER.length} are defined (${FIELD_ORDER.join('|')})`);
  }
  const field = (name: RecurrenceField) => fields[FIELD_ORDER.indexOf(name)] ?? '';

  let freqText = field('freq').toLowerCase();
  let untilText = field('until');
  if (freqText === '' && isFrequency(untilText.toLowerCase())) {
    freqText = untilText.toLowerCase();
    untilText = '';
  }
  if (freqText !== '' && !isFrequency(freqText)) {
    throw new RecurrenceError('freq', `freq "${field('freq')}" must be daily, weekly, monthly or yearly`);
  }
  const freq = freqText === '' ? null : (freqText as Frequency);

  const dtstartText = field('dtstart');
  if (dtstartText === '') throw new RecurrenceError('dtstart', 'dtstart is missing (expected YYYYMMDDTHHMMSS)');
  const dtstart = parseWallClock(dtstartText, 'dtstart', 'start');
  const duration = parseDuration(field('duration'), freq, dtstart);
  const until = untilText === '' ? null : parseWallClock(untilText, 'until', 'end');
  if (until !== null && until < dtstart) {
    throw new RecurrenceError('until', `until "${untilText}" is before dtstart "${dtstartText}", so nothing would ever match`);
  }
  const parts: RuleParts = {
    freq,
    dtstart,
    duration,
    until,
    interval: parseInterval(field('interval')),
    byDay: parseByDay(field('byday')),
    byMonthDay: parseNumberList(field('bymonthday'), 'bymonthday', 31, true),
    byYearDay: parseNumberList(field('byyearday'), 'byyearday', 366, true),
    byWeekNo: parseNumberList(field('byweekno'), 'byweekno', 53, true),
    byMonth: parseNumberList(field('bymonth'), 'bymonth', 12, false),
  };

  if (freq === null) {
    const given = RELAXABLE.filter(({ present }) => present(parts)).map(({ field: name }) => name);
    if (given.length > 0) {
      throw new RecurrenceError('freq',
        `freq is empty (a one-off window) but ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} given; set freq to daily, weekly, monthly or yearly`);
    }
  } else {
    checkRuleParts(freq, parts);
  }
  return { parts, raw: (name) => (name === 'until' ? untilText : field(name)) };
}

/** RFC 5545 §3.3.10 restrictions, which rrule would otherwise ignore or answer with surprises. */
function checkRuleParts(freq: Frequency, parts: RuleParts): void {
  if (parts.byWeekNo.length > 0 && freq !== 'yearly') {
    throw new RecurrenceError('byweekno', `byweekno only works with freq yearly, not ${freq}`);
  }
  if (parts.byYearDay.length > 0 && freq !== 'yearly') {
    throw new RecurrenceError('byyearday', `byyearday only works with freq yearly, not ${freq}`);
  }
  if (parts.byMonthDay.length > 0 && freq === 'weekly') {
    throw new RecurrenceError('bymonthday', 'bymonthday does not work with freq weekly');
  }
  const ordinals = parts.byDay.filter((day) => day.n !== undefined && day.n !== 0);
  const [ordinal] = ordinals;
  if (ordinal === undefined) return;
  if (freq !== 'monthly' && freq !== 'yearly') {
    throw new RecurrenceError('byday', `byday "${ordinal.toString()}" has an ordinal, which only works with freq monthly or yearly`);
  }
  if (parts.byWeekNo.length > 0) {
    throw new RecurrenceError('byday', `byday "${ordinal.toString()}" has an ordinal, which does not work together with byweekno`);
  }
  const withinMonth = freq === 'monthly' || parts.byMonth.length > 0;
  const tooLarge = ordinals.find((day) => Math.abs(day.n!) > MAX_ORDINAL_IN_MONTH);
  if (withinMonth && tooLarge !== undefined) {
    throw new RecurrenceError('byday',
      `byday "${tooLarge.toString()}" counts within a month (freq monthly, or bymonth given), and no month has more than ${MAX_ORDINAL_IN_MONTH} of a weekday`);
  }
}

const WALL_CLOCK = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?$/i;

/**
 * Reads `YYYYMMDDTHHMMSS` (or `YYYYMMDD`) as floating wall-clock milliseconds. A bare date means
 * the first millisecond of that day for a start and its last millisecond for an end.
 */
function parseWallClock(value: string, field: 'dtstart' | 'until', edge: 'start' | 'end'): number {
  const match = WALL_CLOCK.exec(value);
  const expected = field === 'until' ? 'YYYYMMDDTHHMMSS or YYYYMMDD' : 'YYYYMMDDTHHMMSS';
  if (!match) throw new RecurrenceError(field, `${field} "${value}" is not a local date-time ${expected}`);
  const [, year, month, day, hour, minute, second] = match;
  if (Number(year) < FIRST_YEAR) {
    throw new RecurrenceError(field, `${field} "${value}" is before the year ${FIRST_YEAR}; years ${FIRST_YEAR} to ${LAST_YEAR} are supported`);
  }
  const wall = DateTime.fromObject(
    { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour ?? 0), minute: Number(minute ?? 0), second: Number(second ?? 0) },
    { zone: 'utc' },
  );
  if (!wall.isValid) throw new RecurrenceError(field, `${field} "${value}" is not a real date and time`);
  const isBareDate = hour === undefined;
  return isBareDate && edge === 'end' ? wall.toMillis() + DAY_MS - 1 : wall.toMillis();
}

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/;

function parseDuration(value: string, freq: Frequency | null, dtstart: number): Duration {
  if (value === '') throw new RecurrenceError('duration', 'duration is missing (expected ISO-8601 like PT8H30M)');
  const match = ISO_DURATION.exec(value.toUpperCase());
  const [, weeks, days, hours, minutes, seconds, fraction] = match ?? [];
  const hasDatePart = weeks !== undefined || days !== undefined;
  const hasTimePart = hours !== undefined || minutes !== undefined || seconds !== undefined;
  const danglingT = /T$/i.test(value);
  if (!match || (!hasDatePart && !hasTimePart) || danglingT) {
    throw new RecurrenceError('duration', `duration "${value}" is not an ISO-8601 duration P[nW][nD][T[nH][nM][n[.n]S]]`);
  }
  const amounts = {
    weeks: Number(weeks ?? 0),
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
    seconds: Number(seconds ?? 0),
    // Sub-millisecond digits are dropped: a window boundary finer than that is not observable.
    milliseconds: fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0')),
  };
  // luxon refuses amounts beyond exact integers; such a duration is too long for either bound anyway.
  const duration = Object.values(amounts).every(Number.isSafeInteger) ? Duration.fromObject(amounts) : null;
  // Days and weeks counted as 24 hours: DST moves an end by an hour at most, far inside the bounds.
  const millis = duration?.toMillis() ?? Infinity;
  if (millis === 0) throw new RecurrenceError('duration', `duration "${value}" is zero, so nothing would ever match`);
  if (freq !== null && millis > MAX_REPEATING_DURATION_MS) {
    throw new RecurrenceError('duration', `duration "${value}" is longer than 366 days, the most a repeating window may last`);
  }
  if (duration === null || (freq === null && dtstart + millis > AFTER_LAST_YEAR)) {
    throw new RecurrenceError('duration', `duration "${value}" would end the window after the year ${LAST_YEAR}`);
  }
  return duration;
}

function parseInterval(value: string): number {
  if (value === '') return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_INTERVAL) {
    throw new RecurrenceError('interval', `interval "${value}" must be a whole number from 1 to ${MAX_INTERVAL}`);
  }
  return Number(value);
}

function listItems(value: string): string[] {
  // A trailing or doubled comma is a generator artefact, not a mistake worth a 400.
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function parseByDay(value: string): Weekday[] {
  return listItems(value).map((item) => {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/i.exec(item);
    const weekday = match ? WEEKDAYS[match[2]!.toUpperCase()] : undefined;
    const ordinal = match?.[1] === undefined ? 0 : Number(match[1]);
    if (!weekday || Math.abs(ordinal) > 53) {
      throw new RecurrenceError('byday', `byday "${item}" is not one of MO,TU,WE,TH,FR,SA,SU (optionally with an ordinal like 1MO or -1FR)`);
    }
    return ordinal === 0 ? weekday : weekday.nth(ordinal);
  });
}

function parseNumberList(value: string, field: RecurrenceField, max: number, negativeAllowed: boolean): number[] {
  return listItems(value).map((item) => {
    const n = /^[+-]?\d+$/.test(item) ? Number(item) : NaN;
    const valid = Number.isInteger(n) && n !== 0 && Math.abs(n) <= max && (negativeAllowed || n > 0);
    if (!valid) {
      const range = negativeAllowed ? `1..${max} or -${max}..-1` : `1..${max}`;
      throw new RecurrenceError(field, `${field} "${item}" must be a number in ${range}`);
    }
    return n;
  });
}

function toRecurrence(text: string, parts: RuleParts): Recurrence {
  const { freq, interval, duration, dtstart, until } = parts;
  return { text, freq, interval, duration, dtstart, until, dayFilter: freq === null ? null : dayFilterOf(freq, parts) };
}

/**
 * The BY* parts as filters of a yearly rule. rrule itself fills in what DTSTART implies (the day
 * of month of a monthly rule, the weekday of a weekly one...), and every BY* part is a filter of
 * days in rrule, so a yearly rule with the same filters picks the same days within its year.
 */
function dayFilterOf(freq: Frequency, parts: RuleParts): Partial<RRuleOptions> {
  const given: Partial<RRuleOptions> = { freq: FREQUENCIES[freq], dtstart: new Date(parts.dtstart) };
  if (parts.byDay.length > 0) given.byweekday = parts.byDay;
  if (parts.byMonthDay.length > 0) given.bymonthday = parts.byMonthDay;
  if (parts.byYearDay.length > 0) given.byyearday = parts.byYearDay;
  if (parts.byWeekNo.length > 0) given.byweekno = parts.byWeekNo;
  if (parts.byMonth.length > 0) given.bymonth = parts.byMonth;
  const implied = new RRule(given, true).options;

  const filter: Partial<RRuleOptions> = { byhour: implied.byhour, byminute: implied.byminute, bysecond: implied.bysecond };
  const weekdays = [
    ...(implied.byweekday ?? []),
    ...(implied.bynweekday ?? []).map(([day, n]) => WEEKDAY_LIST[day!]!.nth(n!)),
  ];
  const monthDays = [...implied.bymonthday, ...implied.bynmonthday];
  if (weekdays.length > 0) filter.byweekday = weekdays;
  if (monthDays.length > 0) filter.bymonthday = monthDays;
  if (implied.byyearday?.length) filter.byyearday = implied.byyearday;
  if (implied.byweekno?.length) filter.byweekno = implied.byweekno;
  // A monthly rule counts ordinal weekdays within each month; a yearly one does so only with BYMONTH.
  const months = implied.bymonth?.length ? implied.bymonth : freq === 'monthly' ? ALL_MONTHS : null;
  if (months) filter.bymonth = months;
  // A daily rule without day filters takes every day; a yearly rule without any would add DTSTART's.
  if (!filter.byweekday && !filter.bymonthday && !filter.byyearday && !filter.byweekno) filter.bymonthday = ALL_MONTH_DAYS;
  return filter;
}

/** rrule's second period of a yearly rule with this interval starts after its last year, so it runs one year only. */
const ONE_YEAR_ONLY = LAST_YEAR + 1;

const yearOf = (wall: number) => new Date(wall).getUTCFullYear();

/** Which period (day, Monday-based week, month, year) a wall-clock time is in, counted from a fixed origin. */
function periodOf(freq: Frequency, wall: number): number {
  const day = Math.floor(wall / DAY_MS);
  if (freq === 'daily') return day;
  // Weeks start on Monday, RRULE's default WKST; day 0, 1970-01-01, was a Thursday.
  if (freq === 'weekly') return Math.floor((day + 3) / 7);
  const date = new Date(wall);
  return freq === 'monthly' ? date.getUTCFullYear() * 12 + date.getUTCMonth() : date.getUTCFullYear();
}

/** Whether a period between `from` and `to` (wall ms) is one that INTERVAL keeps, counting from DTSTART's. */
function keepsPeriodBetween(freq: Frequency, rec: Recurrence, from: number, to: number): boolean {
  const origin = periodOf(freq, rec.dtstart);
  const first = Math.max(periodOf(freq, from), origin);
  return origin + Math.ceil((first - origin) / rec.interval) * rec.interval <= periodOf(freq, to);
}

/** Occurrence starts of a repeating rule within one calendar year (wall ms, ascending): one rrule run of one year. */
function startsInYear(freq: Frequency, rec: Recurrence, year: number): number[] {
  const yearStart = Date.UTC(year, 0, 1);
  if (!keepsPeriodBetween(freq, rec, yearStart, Date.UTC(year + 1, 0, 1) - 1)) return [];
  const days = new RRule({ ...rec.dayFilter, freq: RRule.YEARLY, interval: ONE_YEAR_ONLY, dtstart: new Date(yearStart) }, true).all();
  const origin = periodOf(freq, rec.dtstart);
  return days
    .map((day) => day.getTime())
    .filter((start) => start >= rec.dtstart && (rec.until === null || start <= rec.until)
      && (periodOf(freq, start) - origin) % rec.interval === 0);
}

/** Occurrence starts in [from, to] (wall ms, ascending). Runs rrule once per calendar year in the range. */
function startsBetween(rec: Recurrence, from: number, to: number): number[] {
  const { freq } = rec;
  if (freq === null) return [rec.dtstart];
  const firstYear = Math.max(yearOf(from), yearOf(rec.dtstart));
  const lastYear = Math.min(yearOf(to), yearOf(rec.until ?? END_OF_LAST_YEAR));
  const starts: number[] = [];
  for (let year = firstYear; year <= lastYear; year++) {
    for (const start of startsInYear(freq, rec, year)) if (start >= from && start <= to) starts.push(start);
  }
  return starts;
}

/** The first start within the occurrence horizon, or null. */
function firstStart(rec: Recurrence): number | null {
  const { freq } = rec;
  if (freq === null) return rec.dtstart;
  const lastYear = Math.min(yearOf(rec.dtstart) + OCCURRENCE_HORIZON_YEARS, yearOf(rec.until ?? END_OF_LAST_YEAR));
  for (let year = yearOf(rec.dtstart); year <= lastYear; year++) {
    const [start] = startsInYear(freq, rec, year);
    if (start !== undefined) return start;
  }
  return null;
}

/** The parts a rule can do without, and how it reads without each. */
const RELAXABLE: readonly { field: RecurrenceField; present: (parts: RuleParts) => boolean; without: Partial<RuleParts> }[] = [
  { field: 'until', present: (parts) => parts.until !== null, without: { until: null } },
  { field: 'interval', present: (parts) => parts.interval !== 1, without: { interval: 1 } },
  { field: 'byday', present: (parts) => parts.byDay.length > 0, without: { byDay: [] } },
  { field: 'bymonthday', present: (parts) => parts.byMonthDay.length > 0, without: { byMonthDay: [] } },
  { field: 'byyearday', present: (parts) => parts.byYearDay.length > 0, without: { byYearDay: [] } },
  { field: 'byweekno', present: (parts) => parts.byWeekNo.length > 0, without: { byWeekNo: [] } },
  { field: 'bymonth', present: (parts) => parts.byMonth.length > 0, without: { byMonth: [] } },
];

/** The error for a rule that never starts, naming the parts without any one of which it would. */
function neverStarts(parts: RuleParts, raw: (name: RecurrenceField) => string): RecurrenceError {
  const culprits = RELAXABLE
    .filter(({ present, without }) => present(parts) && firstStart(toRecurrence('', { ...parts, ...without })) !== null)
    .map(({ field }) => field);
  const horizonEnd = Math.min(parts.until ?? END_OF_LAST_YEAR, Date.UTC(yearOf(parts.dtstart) + OCCURRENCE_HORIZON_YEARS + 1, 0, 1) - 1);
  const named = culprits.map((name) => `${name} "${raw(name)}"`);
  const conflict = named.length === 0 ? 'all its parts together'
    : named.length === 1 ? `${named[0]} together with the rest of the rule`
      : `${named.slice(0, -1).join(', ')} together with ${named.at(-1)}`;
  return new RecurrenceError(culprits[0] ?? 'time_recurrence',
    `never starts, so nothing would ever match: no day from dtstart to ${new Date(horizonEnd).toISOString().slice(0, 10)} fits ${conflict}`);
}

/** Occurrence windows of one recurrence in one zone, valid for evaluation times in [from, to). */
interface OccurrenceWindows {
  zone: string;
  from: number;
  to: number;
  starts: Float64Array;
  ends: Float64Array;
}

const windowCache = new WeakMap<Recurrence, OccurrenceWindows>();

/** Re-evaluations within this span of the first answer reuse its occurrence windows. */
const CACHE_AHEAD_MS = 14 * DAY_MS;
const CACHE_BEHIND_MS = DAY_MS;

/** True iff `at` lies inside an occurrence window of `rec`, reading wall-clock times in `zone` (IANA name or 'UTC'). */
export function recurrenceContains(rec: Recurrence, at: Date, zone: string): boolean {
  const instant = at.getTime();
  if (Number.isNaN(instant)) throw new RangeError('recurrenceContains: invalid date');
  let windows = windowCache.get(rec);
  if (windows === undefined || windows.zone !== zone || instant < windows.from || instant >= windows.to) {
    windows = occurrenceWindows(rec, zone, instant - CACHE_BEHIND_MS, instant + CACHE_AHEAD_MS);
    windowCache.set(rec, windows);
  }
  // All windows share one duration, so ends ascend with starts: only the latest start can still be open.
  const latest = latestAtOrBefore(windows.starts, instant);
  return latest >= 0 && instant < windows.ends[latest]!;
}

function occurrenceWindows(rec: Recurrence, zoneName: string, from: number, to: number): OccurrenceWindows {
  const zone = Info.normalizeZone(zoneName);
  if (!zone.isValid) throw new RangeError(`recurrenceContains: unknown time zone "${zoneName}"`);
  // A start before this instant ends before `from`; the extra days absorb DST shifts between
  // wall-clock and elapsed time. With durations of at most 366 days this spans at most 3 years.
  const earliestStart = toWallClock(DateTime.fromMillis(from, { zone }).minus(rec.duration).toMillis() - DAY_MS, zone);
  const wallFrom = toWallClock(from, zone) - DAY_MS;
  const candidates = startsBetween(rec, earliestStart, toWallClock(to, zone) + DAY_MS);
  // Ends ascend with starts, so of the starts before `from` only the last can still be open: a long
  // window (a daily rule lasting months) then costs a dozen time-zone conversions, not hundreds.
  const firstFromOn = candidates.findIndex((start) => start >= wallFrom);
  const wallStarts = candidates.slice(Math.max(0, (firstFromOn === -1 ? candidates.length : firstFromOn) - 1));
  const starts = new Float64Array(wallStarts.length);
  const ends = new Float64Array(wallStarts.length);
  wallStarts.forEach((wallStart, i) => {
    const start = wallClockToInstant(wallStart, zone);
    starts[i] = start;
    ends[i] = DateTime.fromMillis(start, { zone }).plus(rec.duration).toMillis();
  });
  return { zone: zoneName, from, to, starts, ends };
}

function toWallClock(instant: number, zone: Zone): number {
  return instant + zone.offset(instant) * MINUTE_MS;
}

/**
 * RFC 5545 §3.3.5 reading of a wall-clock time: an ambiguous time is its first occurrence, a time
 * in a gap uses the offset before the gap. (luxon's own guess depends on the current date, which
 * would make answers drift with the server clock.)
 */
function wallClockToInstant(wall: number, zone: Zone): number {
  const offsetBefore = zone.offset(wall - DAY_MS);
  const offsetAfter = zone.offset(wall + DAY_MS);
  const withOffsetBefore = wall - offsetBefore * MINUTE_MS;
  if (zone.offset(withOffsetBefore) === offsetBefore) return withOffsetBefore;
  const withOffsetAfter = wall - offsetAfter * MINUTE_MS;
  if (zone.offset(withOffsetAfter) === offsetAfter) return withOffsetAfter;
  return withOffsetBefore;
}

/** Index of the last element <= value in ascending `sorted`, or -1. */
function latestAtOrBefore(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}
