import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRecurrence, recurrenceContains, RecurrenceError } from '../../src/routing/recurrence.js';

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
  ];
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
