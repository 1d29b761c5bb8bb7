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
 * Evaluation sits on the call path, so `recurrenceContains` does not run rrule per call: it keeps,
 * per recurrence, the occurrence windows of the next two weeks as sorted instants and answers with
 * a binary search. rrule generates starts over "floating" wall-clock times written as UTC dates;
 * only turning them into instants needs the zone.
 */
import rrule from 'rrule';
import type { Options as RRuleOptions, RRule as RRuleInstance, Weekday } from 'rrule';
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
  /** Occurrence starts as floating wall-clock times expressed as UTC dates. */
  readonly rule: RRuleInstance;
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

const WEEKDAYS: Record<string, Weekday> = {
  MO: RRule.MO, TU: RRule.TU, WE: RRule.WE, TH: RRule.TH, FR: RRule.FR, SA: RRule.SA, SU: RRule.SU,
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function isFrequency(word: string): word is Frequency {
  return Object.hasOwn(FREQUENCIES, word);
}

/** Parses a recurrence string, throwing `RecurrenceError` that names the first bad field. */
export function parseRecurrence(text: string): Recurrence {
  const parts = text.split('|').map((part) => part.trim());
  if (parts.length > FIELD_ORDER.length) {
    throw new RecurrenceError('time_recurrence',
      `has ${parts.length} fields separated by "|"; at most ${FIELD_ORDER.length} are defined (${FIELD_ORDER.join('|')})`);
  }
  const field = (name: RecurrenceField) => parts[FIELD_ORDER.indexOf(name)] ?? '';

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
  const duration = parseDuration(field('duration'));
  const until = untilText === '' ? null : parseWallClock(untilText, 'until', 'end');
  if (until !== null && until < dtstart) {
    throw new RecurrenceError('until', `until "${untilText}" is before dtstart "${dtstartText}", so nothing would ever match`);
  }
  const interval = parseInterval(field('interval'));
  const byDay = parseByDay(field('byday'));
  const byMonthDay = parseNumberList(field('bymonthday'), 'bymonthday', 31, true);
  const byYearDay = parseNumberList(field('byyearday'), 'byyearday', 366, true);
  const byWeekNo = parseNumberList(field('byweekno'), 'byweekno', 53, true);
  const byMonth = parseNumberList(field('bymonth'), 'bymonth', 12, false);

  if (freq === null) {
    const ruleParts: [RecurrenceField, boolean][] = [
      ['until', until !== null], ['interval', interval !== 1], ['byday', byDay.length > 0],
      ['bymonthday', byMonthDay.length > 0], ['byyearday', byYearDay.length > 0],
      ['byweekno', byWeekNo.length > 0], ['bymonth', byMonth.length > 0],
    ];
    const given = ruleParts.filter(([, present]) => present).map(([name]) => name);
    if (given.length > 0) {
      throw new RecurrenceError('freq',
        `freq is empty (a one-off window) but ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} given; set freq to daily, weekly, monthly or yearly`);
    }
  } else {
    checkRuleParts(freq, { byDay, byMonthDay, byYearDay, byWeekNo });
  }

  const options: Partial<RRuleOptions> = {
    freq: FREQUENCIES[freq ?? 'daily'],
    dtstart: new Date(dtstart),
    interval,
    until: until === null ? null : new Date(until),
    count: freq === null ? 1 : null,
  };
  if (byDay.length > 0) options.byweekday = byDay;
  if (byMonthDay.length > 0) options.bymonthday = byMonthDay;
  if (byYearDay.length > 0) options.byyearday = byYearDay;
  if (byWeekNo.length > 0) options.byweekno = byWeekNo;
  if (byMonth.length > 0) options.bymonth = byMonth;

  return { text, freq, interval, duration, rule: new RRule(options) };
}

/** RFC 5545 §3.3.10 restrictions, which rrule would otherwise ignore or answer with surprises. */
function checkRuleParts(
  freq: Frequency,
  parts: { byDay: Weekday[]; byMonthDay: number[]; byYearDay: number[]; byWeekNo: number[] },
): void {
  if (parts.byWeekNo.length > 0 && freq !== 'yearly') {
    throw new RecurrenceError('byweekno', `byweekno only works with freq yearly, not ${freq}`);
  }
  if (parts.byYearDay.length > 0 && freq !== 'yearly') {
    throw new RecurrenceError('byyearday', `byyearday only works with freq yearly, not ${freq}`);
  }
  if (parts.byMonthDay.length > 0 && freq === 'weekly') {
    throw new RecurrenceError('bymonthday', 'bymonthday does not work with freq weekly');
  }
  const ordinal = parts.byDay.find((day) => day.n !== undefined && day.n !== 0);
  if (ordinal !== undefined) {
    if (freq !== 'monthly' && freq !== 'yearly') {
      throw new RecurrenceError('byday', `byday "${ordinal.toString()}" has an ordinal, which only works with freq monthly or yearly`);
    }
    if (parts.byWeekNo.length > 0) {
      throw new RecurrenceError('byday', `byday "${ordinal.toString()}" has an ordinal, which does not work together with byweekno`);
    }
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
  const wall = DateTime.fromObject(
    { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour ?? 0), minute: Number(minute ?? 0), second: Number(second ?? 0) },
    { zone: 'utc' },
  );
  if (!wall.isValid) throw new RecurrenceError(field, `${field} "${value}" is not a real date and time`);
  const isBareDate = hour === undefined;
  return isBareDate && edge === 'end' ? wall.toMillis() + DAY_MS - 1 : wall.toMillis();
}

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d+))?S)?)?$/;

function parseDuration(value: string): Duration {
  if (value === '') throw new RecurrenceError('duration', 'duration is missing (expected ISO-8601 like PT8H30M)');
  const match = ISO_DURATION.exec(value.toUpperCase());
  const [, weeks, days, hours, minutes, seconds, fraction] = match ?? [];
  const hasDatePart = weeks !== undefined || days !== undefined;
  const hasTimePart = hours !== undefined || minutes !== undefined || seconds !== undefined;
  const danglingT = /T$/i.test(value);
  if (!match || (!hasDatePart && !hasTimePart) || danglingT) {
    throw new RecurrenceError('duration', `duration "${value}" is not an ISO-8601 duration P[nW][nD][T[nH][nM][n[.n]S]]`);
  }
  const duration = Duration.fromObject({
    weeks: Number(weeks ?? 0),
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
    seconds: Number(seconds ?? 0),
    // Sub-millisecond digits are dropped: a window boundary finer than that is not observable.
    milliseconds: fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0')),
  });
  if (duration.toMillis() === 0) throw new RecurrenceError('duration', `duration "${value}" is zero, so nothing would ever match`);
  return duration;
}

function parseInterval(value: string): number {
  if (value === '') return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new RecurrenceError('interval', `interval "${value}" must be a whole number of at least 1`);
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
  // Occurrences are at least a day apart and share one duration, so only the latest start can still be open.
  const latest = latestAtOrBefore(windows.starts, instant);
  return latest >= 0 && instant < windows.ends[latest]!;
}

function occurrenceWindows(rec: Recurrence, zoneName: string, from: number, to: number): OccurrenceWindows {
  const zone = Info.normalizeZone(zoneName);
  if (!zone.isValid) throw new RangeError(`recurrenceContains: unknown time zone "${zoneName}"`);
  // A start before this instant ends before `from`; the extra day absorbs DST shifts between
  // wall-clock and elapsed time.
  const earliestStart = toWallClock(DateTime.fromMillis(from, { zone }).minus(rec.duration).toMillis() - DAY_MS, zone);
  const wallStarts = ruleStartingNear(rec, earliestStart).between(new Date(earliestStart), new Date(toWallClock(to, zone) + DAY_MS), true);
  const starts = new Float64Array(wallStarts.length);
  const ends = new Float64Array(wallStarts.length);
  wallStarts.forEach((wallStart, i) => {
    const start = wallClockToInstant(wallStart.getTime(), zone);
    starts[i] = start;
    ends[i] = DateTime.fromMillis(start, { zone }).plus(rec.duration).toMillis();
  });
  return { zone: zoneName, from, to, starts, ends };
}

/**
 * rrule iterates from DTSTART, so a daily rule started years ago costs milliseconds per query.
 * Moving DTSTART forward by whole periods (to at most `wall`) keeps every later occurrence: daily
 * and weekly rules only derive the time of day and the weekday from DTSTART, and a whole number of
 * days or weeks changes neither. Monthly and yearly rules iterate a few hundred periods at most.
 */
function ruleStartingNear(rec: Recurrence, wall: number): RRuleInstance {
  const unit = rec.freq === 'daily' ? DAY_MS : rec.freq === 'weekly' ? 7 * DAY_MS : 0;
  const dtstart = rec.rule.options.dtstart.getTime();
  if (unit === 0 || wall <= dtstart) return rec.rule;
  const period = unit * rec.interval;
  const skipped = Math.floor((wall - dtstart) / period);
  return new RRule({ ...rec.rule.origOptions, dtstart: new Date(dtstart + skipped * period) });
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
