import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import rrule from 'rrule';
import { parseRecurrence, recurrenceContains, RecurrenceError, validateRecurrence } from '../../src/routing/recurrence.js';

const { RRule, Weekday } = rrule;

/** Asserts, for each ISO instant, whether `text` contains it in `zone`. */
function check(text: string, zone: string, expectations: [instant: string, inside: boolean][]): void {
  const rec = parseRecurrence(text);
  for (const [instant, inside] of expectations) {
    assert.equal(recurrenceContains(rec, new Date(instant), zone), inside, `${text} at ${instant} in ${zone}`);
  }
}

describe('recurrenceContains', () => {
  it('the spec example: weekdays 17:00 to 23:00, fractional seconds counted exactly', () => {
    check('20230305T170000|PT6H0.06S|daily||1|MO,TU,WE,TH,FR', 'Asia/Shanghai', [
      ['2025-06-16T17:00:00+08:00', true], // Monday
      ['2025-06-16T16:59:59.999+08:00', false],
      ['2025-06-16T23:00:00.059+08:00', true],
      ['2025-06-16T23:00:00.060+08:00', false],
      ['2025-06-20T22:59:00+08:00', true], // Friday
      ['2025-06-21T18:00:00+08:00', false], // Saturday
      ['2025-06-15T18:00:00+08:00', false], // Sunday
    ]);
  });

  it('a window crossing midnight belongs to the day it starts on', () => {
    check('20240101T220000|PT10H|daily||1|MO,TU,WE,TH,FR', 'Asia/Shanghai', [
      ['2025-06-20T22:00:00+08:00', true], // Friday night
      ['2025-06-21T07:59:59+08:00', true], // Saturday morning, started Friday
      ['2025-06-21T08:00:00+08:00', false],
      ['2025-06-21T23:00:00+08:00', false], // Saturday night: SA not in BYDAY
      ['2025-06-23T01:00:00+08:00', false], // Monday early: started Sunday
      ['2025-06-24T01:00:00+08:00', true], // Tuesday early: started Monday
      ['2025-06-16T21:59:59+08:00', false],
    ]);
  });

  it('yearly: Dec 31 00:00 to Jan 1 23:59:59 every year from DTSTART on', () => {
    check('20211231T000000|PT47H59M59S|yearly||1|', 'Asia/Shanghai', [
      ['2029-12-31T00:00:00+08:00', true],
      ['2030-01-01T23:59:58.999+08:00', true],
      ['2030-01-01T23:59:59+08:00', false],
      ['2029-12-30T23:59:59+08:00', false],
      ['2030-06-01T12:00:00+08:00', false],
      ['2021-01-01T12:00:00+08:00', false], // before DTSTART
      ['2022-01-01T12:00:00+08:00', true],
    ]);
  });

  it('nothing before DTSTART matches', () => {
    check('20250610T090000|PT8H|daily', 'UTC', [
      ['2025-06-09T10:00:00Z', false],
      ['2025-06-10T08:59:59Z', false],
      ['2025-06-10T09:00:00Z', true],
    ]);
  });

  it('UNTIL bounds the starts, inclusive, as a date or a date-time', () => {
    check('20240101T090000|PT8H|daily|20240110', 'UTC', [
      ['2024-01-10T16:00:00Z', true],
      ['2024-01-11T10:00:00Z', false],
    ]);
    check('20240101T090000|PT1H|daily|20240105T090000', 'UTC', [
      ['2024-01-05T09:30:00Z', true],
      ['2024-01-06T09:30:00Z', false],
    ]);
    check('20240101T090000|PT1H|daily|20240105T085959', 'UTC', [
      ['2024-01-04T09:30:00Z', true],
      ['2024-01-05T09:30:00Z', false],
    ]);
  });

  it('INTERVAL skips periods', () => {
    check('20240101T090000|PT1H|daily||2', 'UTC', [
      ['2024-01-03T09:30:00Z', true],
      ['2024-01-02T09:30:00Z', false],
      ['2024-03-01T09:30:00Z', true], // day 60
    ]);
    // Every other week on Monday and Wednesday; 2024-01-01 is a Monday.
    check('20240101T090000|PT1H|weekly||2|MO,WE', 'UTC', [
      ['2024-01-03T09:30:00Z', true],
      ['2024-01-08T09:30:00Z', false],
      ['2024-01-10T09:30:00Z', false],
      ['2024-01-15T09:30:00Z', true],
      // Years later the fortnightly rhythm still counts from DTSTART's week.
      ['2031-01-06T09:30:00Z', true],
      ['2031-01-08T09:30:00Z', true],
      ['2031-01-13T09:30:00Z', false],
      ['2031-01-15T09:30:00Z', false],
    ]);
  });

  it('reads BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH and ordinal BYDAY as RRULE does', () => {
    check('20240101T090000|PT1H|monthly||1||15', 'UTC', [
      ['2024-03-15T09:30:00Z', true],
      ['2024-03-16T09:30:00Z', false],
    ]);
    check('20240101T090000|PT1H|monthly||1|-1FR', 'UTC', [
      ['2024-01-26T09:30:00Z', true], // last Friday of January
      ['2024-01-19T09:30:00Z', false],
      ['2024-03-29T09:30:00Z', true],
    ]);
    check('20240101T090000|PT1H|yearly||1|||100', 'UTC', [
      ['2025-04-10T09:30:00Z', true],
      ['2025-04-11T09:30:00Z', false],
    ]);
    check('20240101T090000|PT1H|yearly||1|MO|||1', 'UTC', [
      ['2024-12-30T09:30:00Z', true], // Monday of ISO week 1 of 2025
      ['2025-01-06T09:30:00Z', false],
    ]);
    check('20240101T090000|PT1H|yearly||1|||||6', 'UTC', [
      ['2025-06-01T09:30:00Z', true],
      ['2025-06-02T09:30:00Z', false],
    ]);
  });

  it('an empty FREQ is a single window', () => {
    check('20240301T080000|PT2H', 'UTC', [
      ['2024-03-01T09:00:00Z', true],
      ['2024-03-02T09:00:00Z', false],
    ]);
  });

  it('takes a frequency word in the UNTIL slot as FREQ, as in the spec example', () => {
    const rec = parseRecurrence('20100101T010101|PT10H||daily');
    assert.equal(rec.freq, 'daily');
    check('20100101T010101|PT10H||daily', 'UTC', [
      ['2025-06-16T11:01:00Z', true],
      ['2025-06-16T11:01:01Z', false],
    ]);
  });

  it('keeps wall-clock start times on both sides of DST', () => {
    check('20250101T090000|PT8H|daily', 'America/New_York', [
      ['2025-01-15T09:00:00-05:00', true],
      ['2025-01-15T16:59:59-05:00', true],
      ['2025-07-01T09:00:00-04:00', true],
      ['2025-07-01T08:59:59-04:00', false],
      ['2025-07-01T17:00:00-04:00', false],
    ]);
  });

  describe('DST: hours are elapsed time, days nominal, gaps shift forward, folds take the first', () => {
    it('New York spring forward: a 10-hour night ends an hour later on the wall clock', () => {
      check('20250301T220000|PT10H|daily', 'America/New_York', [
        ['2025-03-09T08:30:00-04:00', true],
        ['2025-03-09T09:00:00-04:00', false],
        ['2025-03-10T07:59:00-04:00', true],
        ['2025-03-10T08:30:00-04:00', false],
      ]);
    });

    it('New York spring forward: 02:30 does not exist and becomes 03:30', () => {
      check('20250301T023000|PT1H|daily', 'America/New_York', [
        ['2025-03-09T01:59:00-05:00', false],
        ['2025-03-09T03:45:00-04:00', true],
        ['2025-03-09T04:30:00-04:00', false],
        ['2025-03-10T02:45:00-04:00', true],
      ]);
    });

    it('New York fall back: 01:30 happens twice and the window opens at the first', () => {
      check('20251001T013000|PT30M|daily', 'America/New_York', [
        ['2025-11-02T01:45:00-04:00', true],
        ['2025-11-02T01:30:00-05:00', false],
        ['2025-11-02T01:45:00-05:00', false],
      ]);
    });

    it('New York: P1D is a calendar day (23 hours here), PT24H is 24 hours', () => {
      // 2025-03-08 is a Saturday.
      check('20250308T120000|P1D|weekly', 'America/New_York', [
        ['2025-03-09T11:59:00-04:00', true],
        ['2025-03-09T12:00:00-04:00', false],
      ]);
      check('20250308T120000|PT24H|weekly', 'America/New_York', [
        ['2025-03-09T12:30:00-04:00', true],
        ['2025-03-09T13:00:00-04:00', false],
      ]);
    });

    it('Berlin fall back: 02:30 CEST is the start, 02:15 CET still inside, 02:45 CET not', () => {
      check('20251001T023000|PT1H|daily', 'Europe/Berlin', [
        ['2025-10-26T00:15:00Z', false],
        ['2025-10-26T00:30:00Z', true], // 02:30 CEST
        ['2025-10-26T01:15:00Z', true], // 02:15 CET
        ['2025-10-26T01:45:00Z', false], // 02:45 CET
      ]);
    });

    it('Berlin spring forward: 02:15 becomes 03:15 CEST', () => {
      check('20250301T021500|PT30M|daily', 'Europe/Berlin', [
        ['2025-03-30T03:14:00+02:00', false],
        ['2025-03-30T03:20:00+02:00', true],
        ['2025-03-30T03:50:00+02:00', false],
      ]);
    });
  });

  it('answers the same whatever order times and zones are asked in', () => {
    const rec = parseRecurrence('20240101T220000|PT10H|daily||1|MO,TU,WE,TH,FR');
    const times = ['2025-06-21T07:00:00Z', '2024-01-02T01:00:00Z', '2031-02-04T23:30:00Z', '2025-06-20T23:00:00Z'];
    const zones = ['UTC', 'Asia/Shanghai', 'America/New_York'];
    const fresh = (time: string, zone: string) => recurrenceContains(parseRecurrence(rec.text), new Date(time), zone);
    for (let round = 0; round < 3; round++) {
      for (const zone of zones) {
        for (const time of times) {
          assert.equal(recurrenceContains(rec, new Date(time), zone), fresh(time, zone), `${time} ${zone}`);
        }
      }
      times.reverse();
    }
  });

  it('rejects an unknown zone and an invalid date', () => {
    const rec = parseRecurrence('20240101T090000|PT1H|daily');
    assert.throws(() => recurrenceContains(rec, new Date('2025-01-01T00:00:00Z'), 'Mars/Olympus'), RangeError);
    assert.throws(() => recurrenceContains(rec, new Date('nonsense'), 'UTC'), RangeError);
  });
});

describe('parseRecurrence', () => {
  it('accepts any case for FREQ and the ISO designators, and trims spaces', () => {
    const rec = parseRecurrence(' 20230101T000000 | pt1h30m | DAILY | | 2 | mo,we, ');
    assert.equal(rec.freq, 'daily');
    assert.equal(rec.interval, 2);
    assert.equal(rec.duration.toMillis(), 90 * 60_000);
  });

  it('reads durations with weeks, days, hours over 24 and fractional seconds', () => {
    const millis = (text: string) => parseRecurrence(`20230101T000000|${text}`).duration.toMillis();
    assert.equal(millis('P1W2D'), 9 * 86_400_000);
    assert.equal(millis('PT47H59M59S'), (48 * 3600 - 1) * 1000);
    assert.equal(millis('PT59M59.696S'), 3599_696);
    assert.equal(millis('PT6H0.06S'), 6 * 3_600_000 + 60);
    assert.equal(millis('PT0,5S'), 500);
    assert.equal(millis('PT1.23456S'), 1234);
  });

  const malformed: [text: string, field: string][] = [
    ['', 'dtstart'],
    ['2023-01-01T00:00:00|PT1H', 'dtstart'],
    ['20231301T000000|PT1H', 'dtstart'],
    ['20230101T246000|PT1H', 'dtstart'],
    ['20230101T000000', 'duration'],
    ['20230101T000000|1H', 'duration'],
    ['20230101T000000|P', 'duration'],
    ['20230101T000000|PT', 'duration'],
    ['20230101T000000|P1DT', 'duration'],
    ['20230101T000000|PT0S', 'duration'],
    ['20230101T000000|P1Y', 'duration'],
    ['20230101T000000|PT1.5H', 'duration'],
    ['20230101T000000|-PT1H', 'duration'],
    ['20230101T000000|PT1H|hourly', 'freq'],
    ['20230101T000000|PT1H|sometimes', 'freq'],
    ['20230101T000000|PT1H|||1|MO', 'freq'],
    ['20230101T000000|PT1H|||2', 'freq'],
    ['20230101T000000|PT1H|daily|tomorrow', 'until'],
    ['20230101T000000|PT1H|daily|20221231', 'until'],
    ['20230101T000000|PT1H|daily|20230132', 'until'],
    ['20230101T000000|PT1H|daily||0', 'interval'],
    ['20230101T000000|PT1H|daily||-1', 'interval'],
    ['20230101T000000|PT1H|daily||1.5', 'interval'],
    ['20230101T000000|PT1H|daily||x', 'interval'],
    ['20230101T000000|PT1H|daily||1|XX', 'byday'],
    ['20230101T000000|PT1H|daily||1|MO;TU', 'byday'],
    ['20230101T000000|PT1H|daily||1|1MO', 'byday'],
    ['20230101T000000|PT1H|monthly||1|54MO', 'byday'],
    ['20230101T000000|PT1H|yearly||1|1MO|||1', 'byday'],
    ['20230101T000000|PT1H|monthly||1||32', 'bymonthday'],
    ['20230101T000000|PT1H|monthly||1||0', 'bymonthday'],
    ['20230101T000000|PT1H|weekly||1||1', 'bymonthday'],
    ['20230101T000000|PT1H|yearly||1|||367', 'byyearday'],
    ['20230101T000000|PT1H|daily||1|||1', 'byyearday'],
    ['20230101T000000|PT1H|yearly||1||||54', 'byweekno'],
    ['20230101T000000|PT1H|monthly||1||||1', 'byweekno'],
    ['20230101T000000|PT1H|yearly||1|||||13', 'bymonth'],
    ['20230101T000000|PT1H|yearly||1|||||-1', 'bymonth'],
    ['20230101T000000|PT1H|daily||1||||||extra', 'time_recurrence'],
    // Bounds that keep evaluation finite.
    ['18991231T235959|PT1H', 'dtstart'],
    ['00010101T000000|PT1H|daily', 'dtstart'],
    ['20230101T000000|P367D|daily', 'duration'],
    ['20230101T000000|P53W|yearly', 'duration'],
    ['20230101T000000|PT8785H|yearly', 'duration'],
    ['20200101T000000|P99999999W|daily||1', 'duration'],
    ['20200101T000000|P99999999W', 'duration'],
    [`20200101T000000|P${'9'.repeat(400)}D`, 'duration'],
    [`20200101T000000|PT${'9'.repeat(400)}.5S|weekly`, 'duration'],
    ['99991231T230000|PT1H0.001S', 'duration'],
    ['20230101T000000|PT1H|daily||10001', 'interval'],
    ['20230101T000000|PT1H|daily||99999999999999999999', 'interval'],
    ['20230101T000000|PT1H|monthly||1|6MO', 'byday'],
    ['20230101T000000|PT1H|yearly||1|-6FR||||3', 'byday'],
  ];
  it('accepts the bounds themselves', () => {
    for (const text of [
      '19000101T000000|PT1H|daily', '20230101T000000|P366D|daily', '20230101T000000|P52W2D|yearly', '20230101T000000|PT1H|daily||10000',
      '20230101T000000|PT1H|yearly||1|20MO', '20230101T000000|PT1H|monthly||1|-5SU', '99991231T230000|PT1H', '19000101T000000|P2914000D',
    ]) {
      assert.doesNotThrow(() => validateRecurrence(text), text);
    }
  });

  for (const [text, field] of malformed) {
    it(`names ${field} in ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseRecurrence(text), (error: unknown) => {
        assert.ok(error instanceof RecurrenceError);
        assert.equal(error.field, field);
        assert.ok(error.message.length > 10);
        return true;
      });
    });
  }
});

describe('recurrenceContains agrees with a brute-force reference', () => {
  const DAY = 86_400_000;
  const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
  // Zones without DST since 2015, so wall time is the instant plus a constant.
  const ZONES = { UTC: 0, 'Asia/Shanghai': 8 * 60, 'Asia/Kolkata': 5 * 60 + 30, 'Asia/Tokyo': 9 * 60 } as const;
  const EPOCH = Date.UTC(2015, 0, 1);

  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const stamp = (wall: number, withTime: boolean) => {
    const d = new Date(wall);
    const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
    return withTime ? `${date}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}` : date;
  };
  const isoDuration = (ms: number) => {
    const hours = Math.floor(ms / 3_600_000);
    const minutes = Math.floor(ms / 60_000) % 60;
    const seconds = Math.floor(ms / 1000) % 60;
    return `PT${hours}H${minutes}M${seconds}.${pad(ms % 1000, 3)}S`;
  };

  it('for random daily and weekly windows with BYDAY, INTERVAL and UNTIL in fixed-offset zones', () => {
    const mondayOf = (wall: number) => wall - (((new Date(wall).getUTCDay() + 6) % 7) * DAY);
    fc.assert(
      fc.property(
        fc.record({
          zone: fc.constantFrom(...(Object.keys(ZONES) as (keyof typeof ZONES)[])),
          freq: fc.constantFrom('daily', 'weekly'),
          startDay: fc.integer({ min: 0, max: 3650 }),
          startSecond: fc.integer({ min: 0, max: 86_399 }),
          durationMs: fc.integer({ min: 1, max: 3 * DAY }),
          interval: fc.integer({ min: 1, max: 3 }),
          byDay: fc.subarray([...WEEKDAYS]),
          untilDays: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
          atOffsetMs: fc.integer({ min: -5 * DAY, max: 2000 * DAY }),
        }),
        ({ zone, freq, startDay, startSecond, durationMs, interval, byDay, untilDays, atOffsetMs }) => {
          const startWall = EPOCH + startDay * DAY + startSecond * 1000;
          const untilWall = untilDays === undefined ? undefined : EPOCH + (startDay + untilDays) * DAY;
          const text = [
            stamp(startWall, true), isoDuration(durationMs), freq,
            untilWall === undefined ? '' : stamp(untilWall, false), String(interval), byDay.join(','),
          ].join('|');
          const atWall = startWall + atOffsetMs;
          const at = new Date(atWall - ZONES[zone] * 60_000);
          const weekday = (wall: number) => WEEKDAYS[new Date(wall).getUTCDay()]!;
          const days = byDay.length > 0 || freq === 'daily' ? byDay : [weekday(startWall)];

          let expected = false;
          const latestDay = Math.floor((atWall - startWall) / DAY);
          for (let k = latestDay; k >= 0 && k >= latestDay - 4; k--) {
            const start = startWall + k * DAY;
            const periods = freq === 'daily' ? k : Math.round((mondayOf(start) - mondayOf(startWall)) / (7 * DAY));
            const allowedDay = days.length === 0 || days.includes(weekday(start));
            const beforeUntil = untilWall === undefined || start < untilWall + DAY;
            if (periods % interval === 0 && allowedDay && beforeUntil && start <= atWall && atWall < start + durationMs) {
              expected = true;
            }
          }
          assert.equal(recurrenceContains(parseRecurrence(text), at, zone), expected, `${text} at ${at.toISOString()} in ${zone}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/**
 * Counts rrule runs during `work`, and checks that every run is one calendar year of a yearly rule
 * (its second period would fall after rrule's last year, 9999): then each run is one pass over at
 * most 366 days, and the count bounds all the work rrule does.
 */
function rruleRuns(work: () => void): number {
  const prototype = RRule.prototype as unknown as { _iter: (this: InstanceType<typeof RRule>, result: unknown) => unknown };
  const iterate = prototype._iter;
  let runs = 0;
  prototype._iter = function countedRun(result) {
    runs++;
    assert.equal(this.options.freq, RRule.YEARLY, 'rrule runs a yearly rule');
    assert.ok(this.options.dtstart.getUTCFullYear() + this.options.interval > 9999, 'rrule runs one year only');
    return iterate.call(this, result);
  };
  try {
    work();
  } finally {
    prototype._iter = iterate;
  }
  return runs;
}

describe('recurrences that never start', () => {
  const never: [text: string, field: string, alsoNamed: string[]][] = [
    ['20200101T000000|PT1H|daily||1||30|||2', 'bymonthday', ['bymonth "2"']], // 30 February
    ['20200101T000000|PT1H|monthly||1||31|||4,6,9,11', 'bymonthday', ['bymonth "4,6,9,11"']],
    ['20200130T000000|PT1H|yearly||1|||||2', 'bymonth', []], // DTSTART implies the 30th
    ['20230101T000000|PT1H|yearly||1|||1||6', 'byyearday', ['bymonth "6"']],
    ['20230101T000000|PT1H|yearly||1||||1|6', 'byweekno', ['bymonth "6"']],
    ['20210101T000000|PT1H|yearly||4|||366', 'interval', ['byyearday "366"']], // 2021, 2025...: never a leap year
    ['20240102T000000|PT1H|daily||7|MO', 'interval', ['byday "MO"']], // every 7th day from a Tuesday
    ['20240101T000000|PT1H|weekly|20240103|1|FR', 'until', ['byday "FR"']],
    ['99991231T000000|PT1H|yearly||1||||1', 'byweekno', []], // after 9999 there is no week 1
  ];
  for (const [text, field, alsoNamed] of never) {
    it(`validateRecurrence names ${field} in ${text}; parseRecurrence accepts it and it never matches`, () => {
      assert.throws(() => validateRecurrence(text), (error: unknown) => {
        assert.ok(error instanceof RecurrenceError);
        assert.equal(error.field, field);
        assert.match(error.message, /never starts/);
        for (const named of alsoNamed) assert.ok(error.message.includes(named), `${error.message} names ${named}`);
        return true;
      });
      // As a row stored before this check existed: evaluating it stays cheap and answers false.
      for (const instant of ['2020-02-29T12:00:00Z', '2024-01-05T00:30:00Z', '2026-06-01T00:00:00Z', '9999-12-31T00:30:00Z']) {
        let inside = true;
        const runs = rruleRuns(() => {
          inside = recurrenceContains(parseRecurrence(text), new Date(instant), 'UTC');
        });
        assert.equal(inside, false, `${text} at ${instant}`);
        assert.ok(runs <= 3, `${runs} rrule runs for ${text} at ${instant}`);
      }
    });
  }

  it('sparse rules are accepted and match on their rare days', () => {
    check('20230101T000000|PT1H|yearly||1|||366', 'UTC', [
      ['2024-12-31T00:30:00Z', true], // day 366 of leap year 2024
      ['2023-12-31T00:30:00Z', false],
      ['2025-12-31T00:30:00Z', false],
    ]);
    check('20230101T000000|PT1H|yearly||1|MO|||53', 'UTC', [
      ['2026-12-28T00:30:00Z', true], // the Monday of ISO week 53 of 2026, the next such year
      ['2025-12-29T00:30:00Z', false], // week 1 of 2026
    ]);
    check('20200101T090000|PT1H|yearly||1|MO|29|||2', 'UTC', [
      ['2044-02-29T09:30:00Z', true], // 29 February on a Monday: 2016, then 2044
      ['2024-02-29T09:30:00Z', false],
    ]);
    check('99991231T000000|PT1H|daily', 'UTC', [['9999-12-31T00:30:00Z', true]]);
    for (const text of ['20230101T000000|PT1H|yearly||1|||366', '20200101T090000|PT1H|yearly||1|MO|29|||2', '99991231T000000|PT1H|daily']) {
      assert.doesNotThrow(() => validateRecurrence(text), text);
    }
  });
});

describe('evaluation is bounded whatever the string says', () => {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const stamp = (date: Date) =>
    `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  // Mostly empty, as most real strings leave most parts out; otherwise anything in the part's range and beyond.
  const list = <T>(items: fc.Arbitrary<T>) => fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.array(items, { minLength: 1, maxLength: 4 }).map((values) => values.join(',')) },
  );
  const nonZero = (max: number) => fc.integer({ min: -max, max }).filter((n) => n !== 0);
  const wallClock = fc.oneof(
    fc.date({ min: new Date('1899-12-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map(stamp),
    fc.constantFrom('99991231T235959', '19000101T000000', '20240229T120000', '21000228T000000'),
  );
  const recurrenceText = fc.tuple(
    wallClock,
    fc.oneof(
      fc.integer({ min: 1, max: 400 * 86_400 }).map((seconds) => `PT${seconds}S`),
      fc.constantFrom('PT1H', 'P1D', 'P366D', 'P367D', 'P99999999W', `P${'9'.repeat(30)}D`, 'PT0S', 'P7000Y'),
    ),
    fc.constantFrom('', 'daily', 'weekly', 'monthly', 'yearly'),
    fc.option(wallClock, { nil: '', freq: 3 }),
    fc.oneof(fc.integer({ min: 1, max: 12 }).map(String), fc.integer({ min: 1, max: 10_001 }).map(String), fc.constant('')),
    list(fc.tuple(fc.option(nonZero(53), { nil: undefined, freq: 3 }), fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'))
      .map(([n, day]) => `${n ?? ''}${day}`)),
    list(nonZero(31)),
    list(nonZero(366)),
    list(nonZero(53)),
    list(fc.integer({ min: 1, max: 12 })),
  ).map((fields) => fields.join('|'));
  const instant = fc.oneof(
    fc.date({ min: new Date('1890-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.constantFrom(new Date('2100-02-28T23:59:59Z'), new Date(8.64e15), new Date(-8.64e15)),
  );
  const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Kiritimati'];

  it('a call runs rrule for at most 3 calendar years, and a write check for at most 8 × 101', () => {
    let parsed = 0;
    fc.assert(
      fc.property(recurrenceText, fc.array(instant, { minLength: 1, maxLength: 4 }), fc.constantFrom(...ZONES), (text, instants, zone) => {
        try {
          parseRecurrence(text);
        } catch (error) {
          assert.ok(error instanceof RecurrenceError, `${text}: ${String(error)}`);
          return;
        }
        parsed++;
        for (const at of instants) {
          // A fresh parse each time: no cached windows.
          const runs = rruleRuns(() => recurrenceContains(parseRecurrence(text), at, zone));
          assert.ok(runs <= 3, `${runs} rrule runs for ${text} at ${at.toISOString()} in ${zone}`);
        }
        const runs = rruleRuns(() => {
          try {
            validateRecurrence(text);
          } catch (error) {
            assert.ok(error instanceof RecurrenceError, `${text}: ${String(error)}`);
          }
        });
        // The rule, then the rule without each of its 7 optional parts, each over at most 101 years.
        assert.ok(runs <= 8 * 101, `${runs} rrule runs to validate ${text}`);
      }),
      { numRuns: 1000 },
    );
    assert.ok(parsed > 100, `only ${parsed} of 1000 generated strings parsed: the generator tests too little`);
  });
});

describe('recurrenceContains agrees with rrule walking from DTSTART', () => {
  const DAY = 86_400_000;
  // Zones without DST since 2015, so wall time is the instant plus a constant.
  const ZONES = { UTC: 0, 'Asia/Shanghai': 8 * 60, 'Asia/Kolkata': 5 * 60 + 30 } as const;
  const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const stamp = (wall: number) => {
    const d = new Date(wall);
    return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  };
  const some = (max: number, negative: boolean) =>
    fc.uniqueArray(fc.integer({ min: negative ? -max : 1, max }).filter((n) => n !== 0), { maxLength: 3 });

  it('for random rules of every frequency and BY* part in fixed-offset zones', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('daily', 'weekly', 'monthly', 'yearly').chain((freq) => fc.record({
          freq: fc.constant(freq),
          zone: fc.constantFrom(...(Object.keys(ZONES) as (keyof typeof ZONES)[])),
          startWall: fc.integer({ min: Date.UTC(2015, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }).map((s) => s * 1000),
          // Windows of up to a few days, or up to the longest allowed: a daily rule's windows then overlap by months.
          durationMs: fc.oneof(fc.integer({ min: 1, max: 3 * 86_400 }), fc.integer({ min: 1, max: 366 * 86_400 })).map((seconds) => seconds * 1000),
          interval: fc.integer({ min: 1, max: 3 }),
          untilDays: fc.option(fc.integer({ min: 0, max: 1500 }), { nil: undefined }),
          byDay: fc.uniqueArray(fc.tuple(
            freq === 'monthly' || freq === 'yearly' ? fc.option(fc.integer({ min: -4, max: 4 }).filter((n) => n !== 0), { nil: undefined }) : fc.constant(undefined),
            fc.integer({ min: 0, max: 6 }),
          ), { maxLength: 3, selector: ([, day]) => day }),
          // Days every month, year and ISO year has, so rrule's own walk soon passes any instant.
          byMonthDay: freq === 'weekly' ? fc.constant<number[]>([]) : some(28, true),
          byYearDay: freq === 'yearly' ? some(365, true) : fc.constant<number[]>([]),
          byWeekNo: freq === 'yearly' ? some(52, true) : fc.constant<number[]>([]),
          byMonth: fc.uniqueArray(fc.integer({ min: 1, max: 12 }), { maxLength: 3 }),
          atOffsetMs: fc.integer({ min: -5 * DAY, max: 3 * 365 * DAY }),
        })),
        ({ freq, zone, startWall, durationMs, interval, untilDays, byDay, byMonthDay, byYearDay, byWeekNo, byMonth, atOffsetMs }) => {
          const days = byWeekNo.length > 0 ? byDay.map(([, day]) => [undefined, day] as const) : byDay;
          const untilWall = untilDays === undefined ? undefined : startWall + untilDays * DAY;
          const text = [
            stamp(startWall), `PT${durationMs / 1000}S`, freq, untilWall === undefined ? '' : stamp(untilWall), String(interval),
            days.map(([n, day]) => `${n ?? ''}${DAYS[day]}`).join(','), byMonthDay.join(','), byYearDay.join(','), byWeekNo.join(','), byMonth.join(','),
          ].join('|');
          let rec;
          try {
            rec = validateRecurrence(text);
          } catch (error) {
            assert.ok(error instanceof RecurrenceError && /never starts/.test(error.message), `${text}: ${String(error)}`);
            return;
          }
          const reference = new RRule({
            freq: { daily: RRule.DAILY, weekly: RRule.WEEKLY, monthly: RRule.MONTHLY, yearly: RRule.YEARLY }[freq],
            dtstart: new Date(startWall),
            interval,
            until: untilWall === undefined ? null : new Date(untilWall),
            ...(days.length > 0 ? { byweekday: days.map(([n, day]) => (n === undefined ? RRule.MO.weekday + day : new Weekday(day, n))) } : {}),
            ...(byMonthDay.length > 0 ? { bymonthday: byMonthDay } : {}),
            ...(byYearDay.length > 0 ? { byyearday: byYearDay } : {}),
            ...(byWeekNo.length > 0 ? { byweekno: byWeekNo } : {}),
            ...(byMonth.length > 0 ? { bymonth: byMonth } : {}),
          }, true);
          const atWall = startWall + atOffsetMs;
          const expected = reference.between(new Date(atWall - durationMs), new Date(atWall), true)
            .some((start) => start.getTime() <= atWall && atWall < start.getTime() + durationMs);
          const at = new Date(atWall - ZONES[zone] * 60_000);
          assert.equal(recurrenceContains(rec, at, zone), expected, `${text} at ${at.toISOString()} in ${zone}`);
        },
      ),
      { numRuns: 400 },
    );
  });
});
